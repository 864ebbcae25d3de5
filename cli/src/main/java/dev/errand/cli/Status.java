package dev.errand.cli;

import dev.errand.core.job.JobId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "status", sortOptions = false, abbreviateSynopsis = true,
        header = "Show where a job is (GET /jobs/{jobId}).",
        description = "A job's record through the API: queued, running, retrying, succeeded, failed or dead, with"
                + " its attempts and last HTTP status; never its body or headers. Signed with SigV4 on AWS.",
        footer = {"", "Examples:", "  errand status 019ab2f0-5f1c-7d3e-9a4b-1c2d3e4f5a6b --stack errand",
            "  errand status 019ab2f0-5f1c-7d3e-9a4b-1c2d3e4f5a6b --local"})
final class Status extends OperatorCommand {

    @Parameters(paramLabel = "JOB_ID", description = "The job's id, as submit answered it.")
    String jobId;


    Status(Context context) {
        super(context);
    }

    @Override
    void check() {
        JobId.parse(jobId).orElseThrow(() -> new SetupProblem("'" + jobId + "' is not a job id (a lower-case UUIDv7)"));
    }

    @Override
    int run(Settings settings) {
        return Api.show(Api.client(settings, context).get("/jobs/" + jobId), spec,
                "no such job: never accepted, its record expired (7 days by default), or job records are off");
    }
}
