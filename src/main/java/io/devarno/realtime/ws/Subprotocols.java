package io.devarno.realtime.ws;

import java.util.Arrays;

/**
 * The WebSocket subprotocols the server agrees to: {@code bearer-token-carrier} (the browser's token carrier,
 * docs/security.md) and {@code realtime.v2} (protocol v2, docs/protocol.md#protocol-v2-history-and-recovery). Both are
 * listed in {@code quarkus.websockets-next.server.supported-subprotocols}.
 */
final class Subprotocols {

    static final String V2 = "realtime.v2";

    private Subprotocols() {}

    /**
     * The offer as the server should see it: just {@code realtime.v2} when the client offers it, whatever else it
     * offers. The handshake selects the first offered protocol the server supports, and a browser offering
     * {@code ["bearer-token-carrier", "realtime.v2", <token>]} must get v2.
     */
    static String preferV2(String offered) {
        return Arrays.stream(offered.split(",")).map(String::trim).anyMatch(V2::equals) ? V2 : offered;
    }
}
