package dev.errand.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import software.amazon.awssdk.core.exception.SdkException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The command tree: errand dlq (list, show, redrive), errand submit, errand status, errand cancel, errand jobs list, errand targets (list, show, pause, resume), errand console. */
final class Errand {

    /** Exit codes, as the help text states them. */
    static final int OK = 0;
    static final int FAILED = 1;
    static final int SETUP = 2;
    /** As a shell reports a command stopped by a signal it caught (128 + SIGINT). */
    static final int STOPPED = 130;

    private Errand() {}

    static CommandLine commandLine(Context context) {
        CommandLine dlq = new CommandLine(new Dlq())
                .addSubcommand(new DlqList(context))
                .addSubcommand(new DlqShow(context))
                .addSubcommand(new DlqRedrive(context));
        CommandLine errand = new CommandLine(new Top())
                .addSubcommand(dlq)
                .addSubcommand(new Submit(context))
                .addSubcommand(new Status(context))
                .addSubcommand(new Cancel(context))
                .addSubcommand(new CommandLine(new Jobs()).addSubcommand(new JobsList(context)))
                .addSubcommand(new CommandLine(new TargetsGroup()).addSubcommand(new TargetsList(context)).addSubcommand(new TargetsShow(context))
                        .addSubcommand(new TargetsPause(context)).addSubcommand(new TargetsResume(context)))
                .addSubcommand(new ConsoleCommand(context));
        errand.setUsageHelpAutoWidth(true);
        errand.setExecutionExceptionHandler((e, command, parsed) -> {
            return switch (e) {
                case SetupProblem problem -> {
                    command.getErr().println("errand: " + problem.getMessage());
                    command.getErr().flush();
                    yield SETUP;
                }
                case SdkException aws -> {
                    command.getErr().println("errand: an AWS call failed: " + aws.getMessage()
                            + "\nCheck the credentials (aws sts get-caller-identity), the region, and the endpoint if you gave one.");
                    command.getErr().flush();
                    yield FAILED;
                }
                default -> throw e;
            };
        });
        return errand;
    }

    @Command(name = "errand", mixinStandardHelpOptions = true, version = "errand 0.1.0",
            synopsisSubcommandLabel = "COMMAND",
            header = "Errand's operator tool.",
            description = "What is in the dead-letter queue and why, sending it back, the jobs API, and pausing a target, from the terminal."
                    + " Works on AWS with your usual credentials (--stack reads the queues, table and API URL from the"
                    + " deployed stack) and on scripts/run-local.sh (--local). Every command has --help.",
            footer = {"",
                "At 3 a.m., the DLQ alarm fired:",
                "  errand console --stack errand                   # all of it in a browser, or:",
                "  errand dlq list --stack errand                  # what died, when, why",
                "  errand dlq show <jobId> --stack errand          # one message in full",
                "  errand dlq redrive <jobId> --stack errand --dry-run",
                "  errand dlq redrive --all --rate 20 --stack errand",
                "",
                "A provider is down: errand targets list --stack errand; errand targets pause crm --reason TEXT; later, resume.",
                "",
                "Exit codes: 0 done; 1 something failed or was not found (the output says what);",
                "2 a setting is missing or wrong; 130 or 143 stopped by Ctrl-C or SIGTERM (safe: run it again)."})
    static final class Top extends Group {}

    @Command(name = "dlq", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
            header = "Inspect the dead-letter queue and send jobs back from it.",
            description = "The dead-letter queue holds jobs refused for good (a 4xx, say), jobs given up on after"
                    + " MaxAttempts calls, and messages SQS moved there after the consumer crashed on them.")
    static final class Dlq extends Group {}

    @Command(name = "jobs", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
            header = "Search the jobs through the API.",
            description = "The job records, by status, target and time of the last change (needs job records).")
    static final class Jobs extends Group {}

    @Command(name = "targets", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
            header = "See each target's fleet-wide state, and pause or resume one.",
            description = "The targets of the targets document with their shared state from the target state table: breaker,"
                    + " provider's hold, operator's pause, rate limit. A pause holds every call to the target across the fleet"
                    + " within a second or two; its jobs wait without using attempts.")
    static final class TargetsGroup extends Group {}

    /** A command that only groups others: run alone, it shows its help and fails, as no command was named. */
    abstract static class Group implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return SETUP;
        }
    }
}
