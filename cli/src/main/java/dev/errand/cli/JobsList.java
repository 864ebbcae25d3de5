package dev.errand.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", sortOptions = false, abbreviateSynopsis = true,
        header = "Search the jobs (GET /jobs): by status, target and time of the last change, newest first.",
        description = "Job records newest change first, from the table's indexes: job id, status, target, attempts,"
                + " last HTTP status, last change. Pages of --limit; --all follows the cursor to the end. Needs job records.",
        footer = {"", "Examples:", "  errand jobs list --status dead --target crm --stack errand",
            "  errand jobs list --status failed --since 2026-11-24T00:00:00Z --all --json --local"})
final class JobsList extends OperatorCommand {

    @Option(names = "--status", paramLabel = "STATUS", description = "scheduled, queued, running, retrying, succeeded, failed, dead or cancelled.")
    Optional<String> status = Optional.empty();

    @Option(names = "--target", paramLabel = "NAME", description = "Only this target's jobs.")
    Optional<String> target = Optional.empty();

    @Option(names = "--since", paramLabel = "TIME", description = "Last changed at or after this RFC 3339 time.")
    Optional<String> since = Optional.empty();

    @Option(names = "--until", paramLabel = "TIME", description = "Last changed at or before this RFC 3339 time.")
    Optional<String> until = Optional.empty();

    @Option(names = "--limit", paramLabel = "N", description = "Jobs per page, 1 to 100 (the API's default: 50).")
    Optional<Integer> limit = Optional.empty();

    @Option(names = "--all", description = "Every page, not only the first.")
    boolean all;

    @Option(names = "--json", description = "The records as a JSON array instead of a table, for scripts.")
    boolean json;

    JobsList(Context context) {
        super(context);
    }

    @Override
    void check() {
        search();
    }

    @Override
    int run(Settings settings) {
        ApiClient api = Api.client(settings, context);
        ApiClient.Search search = search();
        List<Map<String, Object>> jobs = new ArrayList<>();
        Optional<String> next;
        do {
            ApiClient.Reply reply = api.listJobs(search);
            Optional<ApiClient.Page> page = reply instanceof ApiClient.Reply.Answered a && a.status() == 200
                    ? ApiClient.Page.of(a.body()) : Optional.empty();
            if (page.isEmpty()) {
                return Api.show(reply, spec, "no search route at this API URL");
            }
            jobs.addAll(page.get().jobs());
            next = page.get().cursor();
            search = next.map(search::after).orElse(search);
        } while (all && next.isPresent());
        if (json) {
            out().println(PrettyJson.tree(jobs));
        } else {
            table(jobs, next);
        }
        out().flush();
        return Errand.OK;
    }

    private void table(List<Map<String, Object>> jobs, Optional<String> next) {
        if (jobs.isEmpty()) {
            out().println("No job matches.");
            return;
        }
        Table table = new Table(List.of("JOB ID", "STATUS", "TARGET", "ATTEMPTS", "LAST", "CHANGED"));
        for (Map<String, Object> job : jobs) {
            table.add(List.of(String.valueOf(job.get("jobId")), String.valueOf(job.get("status")), String.valueOf(job.get("target")),
                    String.valueOf(job.get("attempts")), Optional.ofNullable(job.get("lastStatusCode")).map(String::valueOf).orElse("-"),
                    String.valueOf(job.get("updatedAt"))));
        }
        table.print(out());
        out().println();
        out().println(jobs.size() + " shown" + (next.isPresent() ? "; more match: --all shows every page." : "."));
    }

    private ApiClient.Search search() {
        limit.filter(n -> n < 1 || n > 100).ifPresent(n -> {
            throw new SetupProblem("--limit takes 1 to 100, was " + n);
        });
        return new ApiClient.Search(status, target, since.map(t -> time("--since", t)), until.map(t -> time("--until", t)), limit,
                Optional.empty());
    }

    private static Instant time(String option, String text) {
        return ApiClient.Search.time(text).orElseThrow(
                () -> new SetupProblem(option + " takes an RFC 3339 time such as 2026-11-25T10:00:00Z, was '" + text + "'"));
    }
}
