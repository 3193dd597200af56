package io.devarno.realtime.auth;

/** Decides who an upgrade request belongs to ({@code realtime.auth.mode}). */
public interface ConnectionAuthenticator {

    String USER_ID_HEADER = "X-User-ID";
    String USER_ID_PARAM = "user_id";

    AuthResult authenticate(UpgradeRequest request);

    /** True when {@link #authenticate} may block (it then runs on a worker thread). */
    default boolean blocking() {
        return false;
    }
}
