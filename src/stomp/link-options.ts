import type { Settings } from "../config/settings.js";
import type { Logger } from "../log/logger.js";
import type { LinkOptions } from "./link.js";

export const linkOptions = (settings: Settings, name: string, log: Logger): LinkOptions => ({
  name,
  log,
  host: settings.brokerHost,
  port: settings.brokerStompPort,
  login: settings.brokerUser,
  passcode: settings.brokerPassword,
  vhost: settings.brokerVhost,
  heartbeat: settings.heartbeat,
  receiptTimeoutMs: settings.receiptTimeoutMs,
  reconnectMinMs: settings.reconnectMinMs,
  reconnectMaxMs: settings.reconnectMaxMs,
});
