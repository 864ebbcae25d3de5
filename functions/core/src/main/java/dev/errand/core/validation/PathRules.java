package dev.errand.core.validation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a job's {@code path} may contain. The path is appended to a configured base URL, so it must never be
 * able to change the scheme, host or port, nor climb out of the base path: these rules are the SSRF guard's
 * first line (the second is {@link dev.errand.core.target.Target#resolve}).
 */
public final class PathRules {

    /** Longer paths are refused: common servers and proxies cap URLs at 2 to 8 KiB. */
    public static final int MAX_LENGTH = 2048;

    /** Encoded '.', '/', '\', '@' and '%' in the path part could smuggle the forbidden forms past a decoder. */
    private static final Pattern ENCODED_DANGER = Pattern.compile("%(?:2[eEfF5]|5[cC]|40)");

    private static final String SUB_DELIMS_AND_MARKS = "-._~!$&'()*+,;=:";

    private PathRules() {}

    /** Why this path is refused, or empty when it is safe to append. */
    public static Optional<String> problem(String path) {
        if (path.isEmpty()) {
            return Optional.empty();
        }
        if (path.length() > MAX_LENGTH) {
            return Optional.of("is " + path.length() + " characters long; the limit is " + MAX_LENGTH);
        }
        if (!path.startsWith("/")) {
            return Optional.of("must start with '/': it is appended to the target's base URL, never a URL of its own");
        }
        int query = path.indexOf('?');
        String pathPart = query < 0 ? path : path.substring(0, query);
        return firstBadCharacter(path)
                .or(() -> badPercentEncoding(path))
                .or(() -> pathPart.contains("//")
                        ? Optional.of("must not contain '//': an empty segment can make the rest read as a host")
                        : Optional.empty())
                .or(() -> pathPart.contains("..")
                        ? Optional.of("must not contain '..': it could climb out of the target's base path")
                        : Optional.empty())
                .or(() -> ENCODED_DANGER.matcher(pathPart).find()
                        ? Optional.of("must not percent-encode '.', '/', '\\', '@' or '%' before the query")
                        : Optional.empty());
    }

    private static Optional<String> firstBadCharacter(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '#') {
                return Optional.of("must not contain a fragment ('#'): it is never sent to a server");
            }
            if (c == '\\') {
                return Optional.of("must not contain '\\': some servers read it as '/'");
            }
            if (c == '@') {
                return Optional.of("must not contain '@': it can turn the base URL's host into user information");
            }
            if (!allowed(c)) {
                return Optional.of("contains " + describe(c) + " at position " + i + ", which must be percent-encoded");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> badPercentEncoding(String path) {
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            if (i + 2 >= path.length() || !isHex(path.charAt(i + 1)) || !isHex(path.charAt(i + 2))) {
                return Optional.of("has a '%' at position " + i + " that is not followed by two hex digits");
            }
        }
        return Optional.empty();
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '/' || c == '?' || c == '%' || SUB_DELIMS_AND_MARKS.indexOf(c) >= 0;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f
                ? String.format("the control character U+%04X", (int) c)
                : c == ' ' ? "a space" : "'" + c + "'";
    }
}
