package dev.errand.core.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads an HTTP {@code Retry-After} value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
public final class RetryAfter {

    private RetryAfter() {}

    /** The wait the provider asked for, counted from {@code now}; empty when the value is neither form. */
    public static Optional<Duration> parse(String value, Instant now) {
        String v = value.trim();
        if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
            return v.length() > 9 ? Optional.of(Duration.ofSeconds(999_999_999L)) : Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
