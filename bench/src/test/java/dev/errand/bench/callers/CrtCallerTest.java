package dev.errand.bench.callers;

import dev.errand.core.delivery.HttpCaller;
import dev.errand.core.delivery.HttpCallerContract;
import dev.errand.testkit.Provider;

/** A candidate client against the contract every caller must keep: the benchmark keeps only correct ones. */
class CrtCallerTest extends HttpCallerContract {

    @Override
    protected HttpCaller caller() {
        return new CrtCaller();
    }

    /** Plain HTTP: the CRT client trusts the operating system's CAs only, and the SDK's builder takes no other. */
    @Override
    protected Provider.Options providerOptions() {
        return Provider.Options.PLAIN;
    }
}
