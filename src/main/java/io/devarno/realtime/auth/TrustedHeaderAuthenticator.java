package io.devarno.realtime.auth;

import io.devarno.realtime.protocol.UpgradeRefusal;

/** {@code trusted-header} mode: the gateway names the user in {@code X-User-ID}, else {@code ?user_id=}. */
public class TrustedHeaderAuthenticator implements ConnectionAuthenticator {

    @Override
    public AuthResult authenticate(UpgradeRequest request) {
        String userId = request.header(USER_ID_HEADER);
        if (userId == null) {
            userId = request.firstQueryParam(USER_ID_PARAM);
        }
        if (userId == null) {
            return AuthResult.rejected(UpgradeRefusal.UNAUTHORIZED, "missing X-User-ID header or user_id parameter");
        }
        if (!UserIds.isValid(userId)) {
            return AuthResult.rejected(UpgradeRefusal.INVALID_USER_ID);
        }
        return AuthResult.accepted(Identity.untimed(userId));
    }
}
