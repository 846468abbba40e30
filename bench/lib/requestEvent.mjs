// The request-shaped audit event the audit benchmarks write: an SmsClient send, as the factory's audit policy records it.
export const REQUEST_EVENT = {
  action: "request",
  outcome: "success",
  controls: ["IM-1", "LT-4"],
  client: "SmsClient",
  http: {
    method: "POST",
    path: "/sms",
    status: 202,
    requestId: "4b0a3c1e-2d6f-4f7a-9b8e-1c2d3e4f5a6b",
    durationMs: 3.2,
  },
};
