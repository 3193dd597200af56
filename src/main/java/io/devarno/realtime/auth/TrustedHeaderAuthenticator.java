package io.devarno.realtime.auth;

/** {@code trusted-header} mode: the gateway names the user in {@code X-User-ID}, else {@code ?user_id=}. */
public class TrustedHeaderAuthenticator implements ConnectionAuthenticator {

    @Override
    public AuthResult authenticate(UpgradeRequest request) {
        String userId = request.header(USER_ID_HEADER);
        if (userId == null) {
            userId = request.firstQueryParam(USER_ID_PARAM);
        }
        if (userId == null) {
            return AuthResult.rejected(401, "unauthorized", "missing X-User-ID header or user_id parameter");
        }
        if (!UserIds.isValid(userId)) {
            return AuthResult.rejected(400, "invalid_user_id", "user id must be 1-128 characters of A-Z a-z 0-9 . _ : @ -");
        }
        return AuthResult.accepted(Identity.untimed(userId));
    }
}
