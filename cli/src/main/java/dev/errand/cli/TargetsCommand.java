package dev.errand.cli;

import dev.errand.cli.console.Backend;
import dev.errand.cli.console.MetricsReader;
import dev.errand.core.fleet.TargetState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the targets commands share: the configured targets and their states, or the error that stops the command. */
abstract class TargetsCommand extends OperatorCommand {

    TargetsCommand(Context context) {
        super(context);
    }

    /** The configured targets; no table to read their states from, or a document that cannot be read, is a setting to fix. */
    static Backend.Configured configured(TargetControl control) {
        control.noTable().ifPresent(why -> {
            throw new SetupProblem(why);
        });
        Backend.Configured configured = control.configured();
        if (!configured.problems().isEmpty()) {
            throw new SetupProblem("could not read the targets document (" + configured.source() + "): " + String.join("; ", configured.problems()));
        }
        return configured;
    }

    /** The states of these targets; a table that is not configured is a setting (exit 2), one that does not answer a failure (empty). */
    Optional<Map<String, TargetState>> states(TargetControl control, List<String> names) {
        return switch (control.read(names)) {
            case TargetControl.States.Found f -> Optional.of(f.states());
            case TargetControl.States.NoTable n -> throw new SetupProblem(n.detail());
            case TargetControl.States.Unavailable u -> {
                err().println("errand: " + u.detail());
                err().flush();
                yield Optional.empty();
            }
        };
    }

    /** The last hour's figures per target, as the console reads them (CloudWatch, namespace Errand). */
    MetricsReader.Figures lastHour(Settings settings, List<String> names) {
        try (var cloudWatch = settings.cloudWatch(context.clock())) {
            return new MetricsReader(cloudWatch, context.clock(), Duration.ZERO).lastHour(names);
        }
    }

    /** A pause or resume's answer: the state after it on stdout, or why not on stderr with its exit code. */
    int shown(TargetControl.Change change) {
        return switch (change) {
            case TargetControl.Change.Done d -> {
                out().println(d.detail());
                out().println("state: " + d.now().shown(context.clock().instant()) + " (every consumer sees it within "
                        + "a second or two: each trusts its copy of the state for at most 1 s)");
                out().flush();
                yield Errand.OK;
            }
            case TargetControl.Change.Refused r -> throw new SetupProblem(r.detail());
            case TargetControl.Change.Failed f -> {
                err().println("errand: " + f.detail());
                err().flush();
                yield Errand.FAILED;
            }
        };
    }
}
