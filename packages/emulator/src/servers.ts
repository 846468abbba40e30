/**
 * The emulator's HTTP plumbing: listening and closing servers, and the request handler every side shares (injected
 * faults first, then the side's handler; every request lands in the request log, a crash becomes a 500).
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { EmulatorSide, FaultRegistry } from "./faults.js";
import { applyFault } from "./faults.js";
import { pathOf } from "./http.js";
import type { EmulatorRequest, RequestLog } from "./requestLog.js";

/** An HTTP or HTTPS server. */
export type Server = HttpServer | HttpsServer;

/** What a side's handler reports for the request log. */
export type SideOutcome = Omit<EmulatorRequest, "time" | "side" | "method" | "path">;

/** Listens on `host:port` (0: ephemeral); resolves with the port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops a server and closes its connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The request listener of one side. */
export function sideListener(
  side: EmulatorSide,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<SideOutcome>,
  context: { faults: FaultRegistry; log: RequestLog; counters: { tokenRequests: number } },
): (req: IncomingMessage, res: ServerResponse) => void {
  const { faults, log, counters } = context;
  return (req, res) => {
    const time = new Date().toISOString();
    const base = { time, side, method: (req.method ?? "").slice(0, 16), path: pathOf(req).slice(0, 512) };
    const run = async (): Promise<void> => {
      const fault = faults.take(side, base.path);
      if (fault !== undefined) {
        if (side === "entra" && base.path.endsWith("/token")) counters.tokenRequests++;
        const status = await applyFault(fault, req, res);
        if (status !== undefined) {
          log.add({ ...base, status, fault: true });
          return;
        }
      }
      log.add({ ...base, ...(await handle(req, res)) });
    };
    run().catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            side === "entra"
              ? { error: "server_error", error_description: "AADSTS50000: Internal error." }
              : { error: { code: "InternalServerError", message: "Internal error." } },
          ),
        );
      }
      log.add({ ...base, status: 500, error: "internal_error" });
    });
  };
}

/** The three TLS servers of the emulator, listening on 127.0.0.1; if one cannot listen, the others are closed. */
export async function startSideServers(
  tls: { serverKeyPem: string; serverCertificatePem: string; caCertificatePem: string },
  ports: { entraPort?: number; acsPort?: number; armPort?: number },
  listener: (side: EmulatorSide) => (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ servers: Record<EmulatorSide, Server>; ports: Record<EmulatorSide, number> }> {
  const serverOptions = {
    key: tls.serverKeyPem,
    cert: `${tls.serverCertificatePem.trimEnd()}\n${tls.caCertificatePem.trimEnd()}\n`,
    keepAliveTimeout: 5000,
  };
  const servers = {
    entra: createServer(serverOptions, listener("entra")),
    acs: createServer(serverOptions, listener("acs")),
    arm: createServer(serverOptions, listener("arm")),
  };
  for (const server of Object.values(servers)) {
    server.on("clientError", (_error, socket) => socket.destroy());
    server.on("tlsClientError", () => undefined);
  }
  const entra = await listen(servers.entra, ports.entraPort ?? 0, "127.0.0.1");
  try {
    const acs = await listen(servers.acs, ports.acsPort ?? 0, "127.0.0.1");
    const arm = await listen(servers.arm, ports.armPort ?? 0, "127.0.0.1");
    return { servers, ports: { entra, acs, arm } };
  } catch (error) {
    await Promise.all([closeServer(servers.entra), closeServer(servers.acs)]);
    throw error;
  }
}
