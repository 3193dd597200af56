package io.devarno.realtime.ws;

/** The close codes the server sends (contract section 3), with the metrics reason of each. */
public final class CloseCodes {

    public static final int GOING_AWAY = 1001;
    public static final int UNSUPPORTED_DATA = 1003;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;
    public static final int TRY_AGAIN_LATER = 1013;
    public static final int TOKEN_EXPIRED = 4001;

    private CloseCodes() {
    }
}
