package dev.errand.core.job;

import java.util.Optional;
import java.util.regex.Pattern;

/** A job's identity: a UUIDv7, so ids sort by submission time. */
public record JobId(String value) {

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    public JobId {
        if (!CANONICAL.matcher(value).matches()) {
            throw new IllegalArgumentException("a job id is a lower-case UUIDv7, was '" + value + "'");
        }
    }

    /** Reads an id from outside (a URL, a message); empty when it is not a well-formed job id. */
    public static Optional<JobId> parse(String text) {
        return CANONICAL.matcher(text).matches() ? Optional.of(new JobId(text)) : Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}
