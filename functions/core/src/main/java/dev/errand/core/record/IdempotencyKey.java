package dev.errand.core.record;

import java.util.Optional;

/**
 * A client's {@code Idempotency-Key}, scoped to the caller: the same key from two callers names two jobs.
 */
public record IdempotencyKey(String scope, String value) {

    public static final int MAX_LENGTH = 255;
    /** The scope when the API does not know the caller (no IAM auth). */
    public static final String ANONYMOUS = "anonymous";

    /** Why a header value cannot be a key, or empty when it can: 1 to 255 printable ASCII characters. */
    public static Optional<String> problem(String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            return Optional.of("the Idempotency-Key header must be 1 to 255 characters long, was " + value.length());
        }
        return value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)
                ? Optional.empty()
                : Optional.of("the Idempotency-Key header must be printable ASCII");
    }

    /** The key of the n-th job of a batch sent with this key, so a whole batch can be retried safely. */
    public IdempotencyKey item(int index) {
        return new IdempotencyKey(scope, value + "#" + index);
    }
}
