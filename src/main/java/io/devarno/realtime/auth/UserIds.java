package io.devarno.realtime.auth;

import java.util.regex.Pattern;

/**
 * User ids: 1 to 128 characters of {@code A-Z a-z 0-9 . _ : @ -} (docs/protocol.md#connecting-ws). Validated before
 * an id reaches Redis, so no id can carry a glob ({@code * ? [}), a space or a control character into a
 * key or a channel name.
 */
public final class UserIds {

    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_LENGTH + "}");

    private UserIds() {}

    public static boolean isValid(String userId) {
        return userId != null
                && userId.length() <= MAX_LENGTH
                && VALID.matcher(userId).matches();
    }
}
