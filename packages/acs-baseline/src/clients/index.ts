export { AcsClientFactory, type AcsClientConstructor } from "./AcsClientFactory.js";
export { ACS_TOKEN_SCOPE } from "./factoryCredential.js";
export {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_POSTURE_MAX_AGE_MS,
  type FactoryPostureOptions,
  type AcsClientFactoryOptions,
  type CertificateOption,
} from "./factoryOptions.js";
export { DEFAULT_ALLOWED_HOSTS } from "../guard/endpoint.js";
export { DEFAULT_AUTHORITY_HOST, MICROSOFT_AUTHORITY_HOSTS } from "../guard/authority.js";
export { ALLOWED_CLIENT_OPTIONS } from "../guard/clientOptionAllowList.js";
export { ENVIRONMENT_VARIABLES, readEnvironment, type EnvironmentConfiguration } from "../config/readEnvironment.js";
export { CHAT_PACKAGE, type ChatClientLike, type ChatUser, type CreateChatClientOptions } from "./chatClient.js";
