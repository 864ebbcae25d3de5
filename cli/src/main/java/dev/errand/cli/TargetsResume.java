package dev.errand.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "resume", sortOptions = false, abbreviateSynopsis = true,
        header = "Resume a paused target fleet-wide.",
        description = "Removes the pause from the target state table; every consumer invocation sees it within a second or two."
                + " The jobs put off during the pause come back as each is next looked at (within a quarter of how long the"
                + " pause had lasted, 10 s to 15 min) and are called within the target's rate limit (ratePerSecond, burst) when it has one. Resuming a target"
                + " that is not paused is fine. The breaker is left as it is: an open one still probes first.",
        footer = {"", "Example:", "  errand targets resume crm --stack errand"})
final class TargetsResume extends TargetsCommand {

    @Parameters(paramLabel = "NAME", description = "The target, as the targets document names it.")
    String name;

    TargetsResume(Context context) {
        super(context);
    }

    @Override
    int run(Settings settings) {
        try (TargetControl control = new TargetControl(settings, context.clock())) {
            return shown(control.resume(name));
        }
    }
}
