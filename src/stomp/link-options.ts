import type { Settings } from "../config/settings.js";
import type { Logger } from "../log/logger.js";
import type { LinkOptions } from "./link.js";

export function linkOptions(settings: Settings, name: string, log: Logger): LinkOptions {
  const [first, ...failover] = settings.brokerAddresses;
  return {
    name,
    log,
    host: first?.host ?? settings.brokerHost,
    port: first?.port ?? settings.brokerStompPort,
    failover,
    login: settings.brokerUser,
    passcode: settings.brokerPassword,
    vhost: settings.brokerVhost,
    heartbeat: settings.heartbeat,
    receiptTimeoutMs: settings.receiptTimeoutMs,
    reconnectMinMs: settings.reconnectMinMs,
    reconnectMaxMs: settings.reconnectMaxMs,
  };
}
