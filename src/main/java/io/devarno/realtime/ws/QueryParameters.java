package io.devarno.realtime.ws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reads one parameter of an upgrade's query string, bounded so that a hostile query costs nothing. */
final class QueryParameters {

    /** Longer raw values are returned as they are (never decoded): no valid parameter of ours is that long. */
    static final int MAX_DECODED_LENGTH = 512;

    private QueryParameters() {}

    /** The first value of {@code name}, URL-decoded; null when absent; a value that cannot be decoded as is. */
    static String first(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        int from = 0;
        while (from <= query.length()) {
            int end = query.indexOf('&', from);
            if (end < 0) {
                end = query.length();
            }
            int equals = query.indexOf('=', from);
            boolean hasValue = equals >= 0 && equals < end;
            int nameEnd = hasValue ? equals : end;
            if (nameEnd - from == name.length() && query.startsWith(name, from)) {
                String raw = hasValue ? query.substring(equals + 1, end) : "";
                return decode(raw);
            }
            from = end + 1;
        }
        return null;
    }

    private static String decode(String raw) {
        if (raw.length() > MAX_DECODED_LENGTH || (raw.indexOf('%') < 0 && raw.indexOf('+') < 0)) {
            return raw;
        }
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
