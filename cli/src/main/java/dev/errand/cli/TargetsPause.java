package dev.errand.cli;

import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pause", sortOptions = false, abbreviateSynopsis = true,
        header = "Pause a target fleet-wide: no call is made to it until it is resumed (or --for has passed).",
        description = {"Writes the pause into the target state table; every consumer invocation sees it within a second"
                + " or two. Its jobs are put off without a call and without using an attempt: each is looked at again after a"
                + " quarter of the pause so far (10 s to 15 min), so after a resume they come back within that, within the"
                + " target's rate limit. Without --for the pause lasts until errand targets resume. A job put off for longer than"
                + " MaxDeferralSeconds (default 1 day) goes to the dead-letter queue, saying it was paused; redrive it after.",
            "Pausing a paused target again replaces its pause (until, reason, by)."},
        footer = {"", "Examples:", "  errand targets pause crm --for 2h --reason \"CRM maintenance window\" --stack errand",
            "  errand targets pause crm --reason \"answers 500 to everything, INC-4411\" --local"})
final class TargetsPause extends TargetsCommand {

    @Parameters(paramLabel = "NAME", description = "The target, as the targets document names it.")
    String name;

    @Option(names = "--for", paramLabel = "DURATION", description = "How long: 90s, 30m, 2h, 1d or 1h30m. Default: until resumed.")
    Optional<String> duration = Optional.empty();

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for whoever looks next (targets list, the console, the jobs' reasons).")
    String reason = "";

    @Option(names = "--by", paramLabel = "WHO", description = "Who paused it. Default: $USER (or USERNAME) of this machine.")
    Optional<String> by = Optional.empty();

    TargetsPause(Context context) {
        super(context);
    }

    @Override
    void check() {
        forHowLong();
    }

    private Optional<Duration> forHowLong() {
        return duration.map(d -> TargetControl.duration(d).orElseThrow(() -> new SetupProblem(
                "--for takes a duration such as 90s, 30m, 2h, 1d or 1h30m, was '" + d + "'")));
    }

    @Override
    int run(Settings settings) {
        String who = by.filter(w -> !w.isBlank()).orElseGet(() -> TargetControl.operator(context.env()));
        try (TargetControl control = new TargetControl(settings, context.clock())) {
            return shown(control.pause(name, forHowLong(), reason.strip(), who));
        }
    }
}
