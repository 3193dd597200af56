package io.devarno.realtime.hub;

/**
 * The JSON frames of protocol v2 (docs/protocol.md#protocol-v2-history-and-recovery), written by hand: they are built
 * for every message, and their shape is fixed.
 */
public final class Envelopes {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Envelopes() {}

    /** {@code {"type":"message","stream":..,"epoch":..,"offset":..,"data":..}}; no epoch/offset when {@code epoch} is null. */
    public static String message(StreamKind stream, String epoch, long offset, String data) {
        StringBuilder json = new StringBuilder(data.length() + 96)
                .append("{\"type\":\"message\",\"stream\":\"")
                .append(stream.wireName())
                .append('"');
        if (epoch != null) {
            json.append(",\"epoch\":");
            string(json, epoch);
            json.append(",\"offset\":").append(offset);
        }
        json.append(",\"data\":");
        string(json, data);
        return json.append('}').toString();
    }

    /** A stream's part of the welcome: {@code {"epoch":..,"offset":..,"recovered":..}}. */
    public record StreamState(String epoch, long offset, boolean recovered) {}

    /** {@code {"type":"welcome","connection":..,"user":{..},"broadcast":{..}}}. */
    public static String welcome(String connectionId, StreamState user, StreamState broadcast) {
        StringBuilder json = new StringBuilder(192).append("{\"type\":\"welcome\",\"connection\":");
        string(json, connectionId);
        json.append(",\"user\":");
        state(json, user);
        json.append(",\"broadcast\":");
        state(json, broadcast);
        return json.append('}').toString();
    }

    private static void state(StringBuilder json, StreamState state) {
        json.append("{\"epoch\":");
        string(json, state.epoch());
        json.append(",\"offset\":")
                .append(state.offset())
                .append(",\"recovered\":")
                .append(state.recovered())
                .append('}');
    }

    /** Appends {@code text} as a JSON string. */
    static void string(StringBuilder json, String text) {
        json.append('"');
        int plainFrom = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            json.append(text, plainFrom, i);
            plainFrom = i + 1;
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        json.append(text, plainFrom, text.length()).append('"');
    }
}
