package dev.errand.bench.callers;

import dev.errand.core.delivery.HttpCaller;
import dev.errand.core.delivery.HttpCallerContract;

/** A candidate client against the contract every caller must keep: the benchmark keeps only correct ones. */
class CrtCallerTest extends HttpCallerContract {

    @Override
    protected HttpCaller caller() {
        return new CrtCaller();
    }
}
