package dev.errand.cli;

import dev.errand.aws.DynamoDbTargetStates;
import dev.errand.aws.Lazy;
import dev.errand.cli.console.Backend;
import dev.errand.core.fleet.TargetState;
import dev.errand.core.fleet.TargetStates;
import dev.errand.core.target.RateLimit;
import dev.errand.core.target.Targets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * The targets as an operator sees and steers them, for {@code errand targets} and the console alike: the
 * configured targets from the targets document, their fleet-wide states from the target state table (read
 * and written by the functions' own {@link DynamoDbTargetStates}), and pause and resume.
 */
final class TargetControl implements AutoCloseable {

    static final String NO_TABLE = "where is the target state table? Give --target-state-table, set " + dev.errand.aws.Env.TARGET_STATE_TABLE
            + ", name the deployed stack with --stack (its output TargetStateTableName), or use --local with scripts/run-local.sh"
            + " running (its moto holds the table)";
    private static final Pattern DURATION = Pattern.compile("(?:(\\d{1,5})d)?(?:(\\d{1,6})h)?(?:(\\d{1,7})m)?(?:(\\d{1,9})s)?");

    private final Settings settings;
    private final Clock clock;
    private final Optional<String> table;
    private final Lazy<DynamoDbClient> dynamo;

    TargetControl(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.table = settings.targetStateTable();
        this.dynamo = new Lazy<>(() -> settings.aws().dynamoDb());
    }

    /** The fleet's states of some targets: every name asked for (a target never written reads as closed), or why not. */
    sealed interface States {
        record Found(Map<String, TargetState> states) implements States {
            public Found {
                states = Map.copyOf(states);
            }
        }

        /** No table is configured here: a setting is missing. */
        record NoTable(String detail) implements States {}

        /** The table did not answer: the detail names it and what to check. */
        record Unavailable(String detail) implements States {}
    }

    /** What a pause or resume did: the target's state after it; or why nothing was done. */
    sealed interface Change {
        record Done(TargetState now, String detail) implements Change {}

        /** Not a configured target, or no table to write to: a setting or a name is wrong. */
        record Refused(String detail) implements Change {}

        record Failed(String detail) implements Change {}
    }

    /** The configured targets, from the targets document in SSM where the functions read it. */
    Backend.Configured configured() {
        String parameter = settings.targetsParameter();
        String source = "SSM parameter " + parameter;
        String document;
        try (SsmClient ssm = settings.aws().ssm()) {
            document = ssm.getParameter(b -> b.name(parameter).withDecryption(true)).parameter().value();
        } catch (ParameterNotFoundException e) {
            return new Backend.Configured(List.of(), List.of("there is no " + source + " (give --targets-parameter if the stack uses another)"),
                    source);
        } catch (SdkException e) {
            return new Backend.Configured(List.of(), List.of("could not read the " + source + ": " + e.getMessage()), source);
        }
        return switch (Targets.parse(document)) {
            case Targets.Loaded.Ok ok -> new Backend.Configured(ok.targets().all().values().stream().map(t -> new Backend.TargetConfig(t.name(),
                    t.baseUrl().toString(), t.timeout().toMillis(), t.maxConcurrency(), t.breakerThreshold(),
                    t.auth().getClass().getSimpleName().toLowerCase(Locale.ROOT),
                    t.rateLimit().map(r -> new Backend.Rate(r.perSecond(), r.burst())))).toList(), List.of(), source);
            case Targets.Loaded.Invalid invalid -> new Backend.Configured(List.of(), invalid.problems(), source);
        };
    }

    /** The configured target of this name; empty with why (no such target, or no document to tell). */
    static Optional<String> unknown(Backend.Configured configured, String name) {
        if (!configured.problems().isEmpty()) {
            return Optional.of("could not tell whether '" + name + "' is a target: the targets document (" + configured.source() + ") "
                    + String.join("; ", configured.problems()));
        }
        if (configured.targets().stream().anyMatch(t -> t.name().equals(name))) {
            return Optional.empty();
        }
        Set<String> names = new TreeSet<>();
        configured.targets().forEach(t -> names.add(t.name()));
        return Optional.of("no target named '" + name + "' in the targets document (" + configured.source() + "); its targets: "
                + (names.isEmpty() ? "none" : String.join(", ", names)));
    }

    /** Whether the table is configured and answers: what the console offers pause and resume on. */
    Optional<String> unavailable() {
        return switch (read(List.of())) {
            case States.Found f -> Optional.empty();
            case States.NoTable n -> Optional.of(n.detail());
            case States.Unavailable u -> Optional.of(u.detail());
        };
    }

    States read(Collection<String> names) {
        if (noTable().isPresent()) {
            return new States.NoTable(NO_TABLE);
        }
        // an empty read still asks the table, so that "is it there" has an answer
        Set<String> asked = names.isEmpty() ? Set.of(" ") : Set.copyOf(names);
        return switch (store().read(asked)) {
            case TargetStates.Read.Found f -> {
                Map<String, TargetState> all = new HashMap<>();
                names.forEach(n -> all.put(n, f.states().getOrDefault(n, TargetState.fresh(n))));
                yield new States.Found(all);
            }
            case TargetStates.Read.Unavailable u -> new States.Unavailable(unreachable(u.reason()));
        };
    }

    /** Pauses a configured target fleet-wide: until a time, or (empty) until resumed. */
    Change pause(String name, Optional<Duration> duration, String reason, String by) {
        Optional<String> refused = refusal(name);
        if (refused.isPresent()) {
            return new Change.Refused(refused.get());
        }
        Optional<Instant> until = duration.map(d -> clock.instant().plus(d).truncatedTo(ChronoUnit.SECONDS));
        return switch (store().pause(name, until, reason, by)) {
            case TargetStates.Write.Done d -> after(name, "paused '" + name + "' fleet-wide " + until.map(u -> "until " + u).orElse("until resumed")
                    + ", by " + by + (reason.isBlank() ? "" : ": " + reason));
            case TargetStates.Write.Stale s -> new Change.Failed("the pause of '" + name + "' was not written; try again");
            case TargetStates.Write.Unavailable u -> new Change.Failed(unreachable(u.reason()));
        };
    }

    Change resume(String name) {
        Optional<String> refused = refusal(name);
        if (refused.isPresent()) {
            return new Change.Refused(refused.get());
        }
        return switch (store().resume(name)) {
            case TargetStates.Write.Done d -> after(name, "resumed '" + name + "' fleet-wide: its waiting jobs come back as each is"
                    + " next looked at, within the rate limit");
            case TargetStates.Write.Stale s -> new Change.Failed("the resume of '" + name + "' was not written; try again");
            case TargetStates.Write.Unavailable u -> new Change.Failed(unreachable(u.reason()));
        };
    }

    /** Why there is no table to use, before anything is read: no option, variable or stack output names one. */
    Optional<String> noTable() {
        return table.isEmpty() ? Optional.of(NO_TABLE) : Optional.empty();
    }

    private Optional<String> refusal(String name) {
        return noTable().or(() -> unknown(configured(), name));
    }

    private Change after(String name, String detail) {
        return switch (read(List.of(name))) {
            case States.Found f -> new Change.Done(f.states().get(name), detail);
            case States.NoTable n -> new Change.Failed(n.detail());
            case States.Unavailable u -> new Change.Failed(detail + ", but reading it back failed: " + u.detail());
        };
    }

    private String unreachable(String reason) {
        return "could not use the target state table " + table.orElse("?") + " (" + settings.dynamoDbWhere() + "): " + reason
                + ". Check that the table exists there (the stack's output TargetStateTableName, --target-state-table), the region,"
                + " and credentials allowed dynamodb:BatchGetItem and dynamodb:UpdateItem on it"
                + (settings.local() ? "; locally, that scripts/run-local.sh is running with moto" : "");
    }

    private TargetStates store() {
        return new DynamoDbTargetStates(dynamo.get(), table.orElseThrow(), clock);
    }

    /**
     * A target's state as an operator reads it, in order: the word (closed, open, half-open, held, paused),
     * then what explains it (the pause and who made it, the provider's hold, the breaker's next probe), then
     * the rate limit and the bucket now.
     */
    static Map<String, String> details(TargetState s, Optional<Backend.Rate> rate, Instant now) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("state", s.shown(now));
        s.pause().filter(p -> p.active(now)).ifPresent(p -> {
            d.put("paused until", p.until().map(u -> u + " (in " + Ages.of(Duration.between(now, u)) + ")").orElse("resumed"));
            d.put("paused by", p.by());
            d.put("paused at", p.at() + " (" + Ages.of(Duration.between(p.at(), now)) + " ago)");
            d.put("pause reason", p.reason().isBlank() ? "-" : p.reason());
        });
        s.hold().filter(h -> now.isBefore(h.until())).ifPresent(h -> {
            d.put("held until", h.until() + " (in " + Ages.of(Duration.between(now, h.until())) + ")");
            d.put("hold reason", h.reason());
        });
        d.put("breaker", s.open() ? "open" : "closed");
        d.put("failures in a row", Integer.toString(s.failures()));
        if (s.open()) {
            s.nextProbeAt().ifPresent(p -> d.put("next probe", p + (p.isAfter(now) ? " (in " + Ages.of(Duration.between(now, p)) + ")" : " (due)")));
            d.put("probe interval", Ages.of(s.interval()));
            s.probe().filter(l -> now.isBefore(l.until())).ifPresent(l -> d.put("probing", l.holder() + " until " + l.until()));
        }
        d.put("rate", rate.map(TargetControl::rate).orElse("none"));
        rate.ifPresent(r -> d.put("tokens now", Integer.toString(s.bucket().orElse(TargetState.Bucket.full(now))
                .available(new RateLimit(r.perSecond(), r.burst()), now)) + " of " + r.burst()));
        return d;
    }

    /** When the breaker next lets a call through: "-" while closed. */
    static String nextProbe(TargetState s, Instant now) {
        return s.open() ? s.nextProbeAt().map(p -> p.isAfter(now) ? "in " + Ages.of(Duration.between(now, p)) : "due").orElse("due") : "-";
    }

    static String rate(Backend.Rate r) {
        String perSecond = r.perSecond() == Math.rint(r.perSecond()) ? Long.toString((long) r.perSecond()) : Double.toString(r.perSecond());
        return perSecond + "/s, burst " + r.burst();
    }

    /** Who is pausing, as this machine knows the operator: $USER, else USERNAME (Windows). */
    static String operator(Map<String, String> env) {
        return Optional.ofNullable(env.get("USER")).or(() -> Optional.ofNullable(env.get("USERNAME"))).filter(w -> !w.isBlank())
                .orElse("an operator");
    }

    /** A duration as --for takes it: 90s, 30m, 2h, 1d, or combined (1h30m); empty when it is none of these or zero. */
    static Optional<Duration> duration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (text.isBlank() || !m.matches()) {
            return Optional.empty();
        }
        Duration d = Duration.ZERO;
        long[] units = {86_400, 3_600, 60, 1};
        for (int i = 0; i < units.length; i++) {
            if (m.group(i + 1) != null) {
                d = d.plusSeconds(Long.parseLong(m.group(i + 1)) * units[i]);
            }
        }
        return d.isZero() ? Optional.empty() : Optional.of(d);
    }

    @Override
    public void close() {
        dynamo.ifMade(DynamoDbClient::close);
    }
}
