package dev.errand.cli;

import dev.errand.core.job.JobId;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", sortOptions = false, abbreviateSynopsis = true,
        header = "Cancel jobs (DELETE /jobs/{jobId}).",
        description = "A scheduled, queued or retrying job becomes cancelled and is never called afterwards; a call"
                + " already in flight may finish (the answer says so). Cancelling a cancelled job again is fine; a job"
                + " that succeeded, failed or died cannot be cancelled. Needs job records. Signed with SigV4 on AWS.",
        footer = {"", "Examples:", "  errand cancel 019ab2f0-5f1c-7d3e-9a4b-1c2d3e4f5a6b --stack errand",
            "  errand cancel 019ab2f0-5f1c-7d3e-9a4b-1c2d3e4f5a6b 019ab2f0-6a2d-7e4f-8b5c-2d3e4f5a6b7c --local"})
final class Cancel extends OperatorCommand {

    @Parameters(paramLabel = "JOB_ID", arity = "1..*", description = "The jobs' ids, as submit answered them.")
    List<String> jobIds = new ArrayList<>();

    Cancel(Context context) {
        super(context);
    }

    @Override
    void check() {
        for (String id : jobIds) {
            JobId.parse(id).orElseThrow(() -> new SetupProblem("'" + id + "' is not a job id (a lower-case UUIDv7)"));
        }
    }

    /** Each job in turn, its answer printed; fails when any one was not cancelled. */
    @Override
    int run(Settings settings) {
        ApiClient api = Api.client(settings, context);
        int code = Errand.OK;
        for (String id : jobIds) {
            int one = Api.show(api.cancel(id), spec, "no such job: never accepted, or its record expired");
            code = one == Errand.OK ? code : one;
        }
        return code;
    }
}
