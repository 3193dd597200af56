package io.devarno.realtime.auth;

import java.util.List;
import java.util.function.Function;

/** What an authenticator may read from an upgrade request, independent of the HTTP stack. */
public record UpgradeRequest(Function<String, String> header, Function<String, List<String>> queryParam) {

    public String firstQueryParam(String name) {
        List<String> values = queryParam.apply(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String header(String name) {
        return header.apply(name);
    }
}
