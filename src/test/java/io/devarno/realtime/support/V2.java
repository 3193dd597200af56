package io.devarno.realtime.support;

import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Protocol v2 on the client side (docs/protocol.md#protocol-v2-history-and-recovery): the subprotocol to offer and the
 * frames to expect. */
public final class V2 {

    public static final String SUBPROTOCOL = "realtime.v2";
    public static final List<String> OFFER = List.of(SUBPROTOCOL);
    private static final ObjectMapper JSON = new ObjectMapper();

    private V2() {}

    public static JsonNode parse(String frame) {
        try {
            return JSON.readTree(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stream's part of a welcome. */
    public record StreamState(String epoch, long offset, boolean recovered) {}

    /** The welcome, checked to be exactly {@code {"type":"welcome","connection":..,"user":{..},"broadcast":{..}}}. */
    public record Welcome(String connection, StreamState user, StreamState broadcast) {

        public static Welcome of(String frame) {
            JsonNode json = parse(frame);
            Welcome welcome = new Welcome(
                    json.path("connection").asText(), state(json.path("user")), state(json.path("broadcast")));
            if (!frame.equals(welcome.toJson())) {
                throw new AssertionError("not a welcome frame as the contract writes it: " + frame);
            }
            return welcome;
        }

        private static StreamState state(JsonNode json) {
            return new StreamState(
                    json.path("epoch").asText(),
                    json.path("offset").asLong(),
                    json.path("recovered").asBoolean());
        }

        String toJson() {
            return "{\"type\":\"welcome\",\"connection\":\"" + connection + "\",\"user\":" + json(user)
                    + ",\"broadcast\":" + json(broadcast) + "}";
        }

        private static String json(StreamState state) {
            return "{\"epoch\":\"" + state.epoch() + "\",\"offset\":" + state.offset() + ",\"recovered\":"
                    + state.recovered() + "}";
        }
    }

    /** The exact envelope of a recorded message whose data needs no JSON escaping. */
    public static String message(String stream, String epoch, long offset, String data) {
        return "{\"type\":\"message\",\"stream\":\"" + stream + "\",\"epoch\":\"" + epoch + "\",\"offset\":" + offset
                + ",\"data\":\"" + data + "\"}";
    }

    /** The exact envelope of an unrecorded message (a plain PUBLISH) whose data needs no JSON escaping. */
    public static String unrecorded(String stream, String data) {
        return "{\"type\":\"message\",\"stream\":\"" + stream + "\",\"data\":\"" + data + "\"}";
    }
}
