package dev.errand.core.delivery;

/** The shipped caller against the contract every caller must keep. */
class JdkHttpCallerTest extends HttpCallerContract {

    @Override
    protected HttpCaller caller() {
        return new JdkHttpCaller(JdkHttpCaller.defaultClient());
    }
}
