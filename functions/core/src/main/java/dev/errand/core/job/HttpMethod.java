package dev.errand.core.job;

import java.util.Arrays;
import java.util.Optional;

/** The methods a job may use toward its target. */
public enum HttpMethod {
    GET, POST, PUT, PATCH, DELETE;

    public static final HttpMethod DEFAULT = POST;

    /** Exact, upper-case names only: a typo should be refused, not guessed. */
    public static Optional<HttpMethod> parse(String name) {
        return Arrays.stream(values()).filter(m -> m.name().equals(name)).findFirst();
    }
}
