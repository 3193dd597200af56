// What the client does after a connection ended or an upgrade was refused. Pure: the inputs are what could be
// observed about the failure, the output is the next step. README.md ("Close codes") documents the same table.

/**
 * @param {object} failure
 * @param {number} [failure.code] WebSocket close code (1006 when the connection or the upgrade failed)
 * @param {string} [failure.reason] close reason
 * @param {number} [failure.status] HTTP status of a refused upgrade, when known (Node's ws, or a diagnosis)
 * @param {string} [failure.error] the "error" field of the refusal's JSON body, when known
 * @param {boolean} failure.usesToken whether the connection carried a token
 * @param {boolean} failure.freshTokenFailed whether the token just refused was already a fresh one after a 401
 * @param {boolean} [failure.timedOut] whether the upgrade got no answer within connectTimeoutMs
 * @returns {{action: "reconnect"|"stop", delay?: "backoff"|"pushback"|"spread", freshToken?: boolean,
 *            error?: {code: string, message: string, fatal: boolean}}}
 */
export function decide(failure) {
  const { code, reason, status, error, usesToken, freshTokenFailed, timedOut } = failure;
  if (status !== undefined && status !== null) {
    return decideStatus(status, error, usesToken, freshTokenFailed);
  }
  if (timedOut) {
    // the upgrade was not answered in time: a pod too busy to answer; retrying at once would add to its queue
    return { action: "reconnect", delay: "pushback" };
  }
  switch (code) {
    case 1001: // going away: a pod draining (or a heartbeat timeout); other pods are ready
    case 1012: // service restart
      return { action: "reconnect", delay: "spread" };
    case 4001: // the token expired on an open connection: a fresh one is needed
      return { action: "reconnect", delay: "spread", freshToken: true };
    case 1008:
      return stop("policy", `closed by policy (1008${reason ? ": " + reason : ""}); retrying cannot help`);
    case 1013:
      return {
        action: "reconnect", delay: "pushback",
        error: { code: "slow_consumer", message: `closed with 1013${reason ? " (" + reason + ")" : ""}: backing off`, fatal: false },
      };
    case 1002:
    case 1003:
    case 1007:
    case 1009:
      return {
        action: "reconnect", delay: "backoff",
        error: { code: "protocol", message: `closed with ${code}${reason ? " (" + reason + ")" : ""}`, fatal: false },
      };
    default:
      return { action: "reconnect", delay: "backoff" };
  }
}

function decideStatus(status, error, usesToken, freshTokenFailed) {
  switch (status) {
    case 401:
      if (usesToken && !freshTokenFailed) {
        return { action: "reconnect", delay: "spread", freshToken: true };
      }
      return stop("unauthorized", usesToken
        ? "the upgrade was refused with 401 twice, the second time with a fresh token from getToken()"
        : "the upgrade was refused with 401: no user id (trusted-header mode) or the service expects a token");
    case 403:
      if (error === "origin_not_allowed") {
        return stop("origin_refused", "this page's origin is not in the service's realtime.allowed-origins (403)");
      }
      return stop("forbidden", `the upgrade was refused with 403${error ? " (" + error + ")" : ""}`);
    case 400:
      return stop("bad_request", `the upgrade was refused with 400${error ? " (" + error + ")" : ""}: check the user id and URL`);
    case 429:
      return {
        action: "reconnect", delay: "pushback",
        error: { code: "too_many_connections", message: "the upgrade was refused with 429: this user holds too many connections on that instance", fatal: false },
      };
    case 503:
      return {
        action: "reconnect", delay: "pushback",
        error: { code: "unavailable", message: `the upgrade was refused with 503${error ? " (" + error + ")" : ""}: backing off`, fatal: false },
      };
    default:
      return {
        action: "reconnect", delay: "backoff",
        error: { code: "upgrade_refused", message: `the upgrade was refused with ${status}${error ? " (" + error + ")" : ""}`, fatal: false },
      };
  }
}

function stop(code, message) {
  return { action: "stop", error: { code, message, fatal: true } };
}
