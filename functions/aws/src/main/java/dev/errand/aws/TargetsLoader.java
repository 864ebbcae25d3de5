package dev.errand.aws;

import dev.errand.core.log.JsonLog;
import dev.errand.core.target.Targets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Reads the targets document: inline from ERRAND_TARGETS, else from the SSM parameter ERRAND_TARGETS_PARAMETER.
 * The parameter is read again at most every ERRAND_TARGETS_REFRESH_SECONDS and after a SnapStart restore, so
 * a target removed from it (a compromised endpoint, say) is refused within that time, without a deploy.
 */
public final class TargetsLoader implements Supplier<Targets> {

    /** A minute: a removed target stops being called soon, and a busy function reads SSM about once a minute. */
    public static final int DEFAULT_REFRESH_SECONDS = 60;

    private final Optional<String> inline;
    private final Optional<String> parameter;
    private final Supplier<SsmClient> ssm;
    private final Clock clock;
    private final Duration refresh;
    private final JsonLog log;
    private volatile Targets current;
    private volatile Instant readAt;

    private TargetsLoader(Env env, Supplier<SsmClient> ssm, Clock clock, JsonLog log) {
        this.inline = env.get(Env.TARGETS);
        this.parameter = env.get(Env.TARGETS_PARAMETER);
        this.ssm = ssm;
        this.clock = clock;
        this.refresh = Duration.ofSeconds(env.integer(Env.TARGETS_REFRESH_SECONDS, DEFAULT_REFRESH_SECONDS));
        this.log = log;
        if (inline.isEmpty() && parameter.isEmpty()) {
            throw new IllegalStateException("no targets configured: set " + Env.TARGETS + " (inline JSON) or "
                    + Env.TARGETS_PARAMETER + " (an SSM parameter name)");
        }
        this.current = parse(read());
        this.readAt = clock.instant();
    }

    /** The configured targets, kept current; a missing or invalid document stops the function's start with every problem named. */
    public static TargetsLoader start(Env env, Supplier<SsmClient> ssm, Clock clock, JsonLog log) {
        return new TargetsLoader(env, ssm, clock, log);
    }

    /** The targets now: read again first when the last read is older than the refresh interval. */
    @Override
    public Targets get() {
        if (inline.isEmpty() && !clock.instant().isBefore(readAt.plus(refresh))) {
            reread();
        }
        return current;
    }

    /** After a SnapStart restore the snapshot's copy may be days old: the next use reads the document again. */
    public void stale() {
        readAt = Instant.EPOCH;
    }

    private synchronized void reread() {
        if (clock.instant().isBefore(readAt.plus(refresh))) {
            return; // another thread read it meanwhile
        }
        readAt = clock.instant();
        try {
            switch (Targets.parse(read())) {
                case Targets.Loaded.Ok ok -> current = ok.targets();
                case Targets.Loaded.Invalid invalid -> log.error("the targets document is invalid now; the last good one stays in use",
                        Map.of("problems", String.join("; ", invalid.problems())));
            }
        } catch (SdkException e) {
            log.warn("the targets document could not be read again; the last one read stays in use",
                    Map.of("error", Optional.ofNullable(e.getMessage()).orElse(e.toString())));
        }
    }

    private String read() {
        return inline.orElseGet(() -> ssm.get().getParameter(b -> b.name(parameter.orElseThrow()).withDecryption(true)).parameter().value());
    }

    private static Targets parse(String document) {
        return switch (Targets.parse(document)) {
            case Targets.Loaded.Ok ok -> ok.targets();
            case Targets.Loaded.Invalid invalid -> throw new IllegalStateException(
                    "the targets document is invalid: " + String.join("; ", invalid.problems()));
        };
    }
}
