package dev.errand.core.delivery;

/** The shipped caller (HTTP/2 lanes, handshakes bounded) against the contract every caller must keep, over HTTPS. */
class JdkHttpCallerTest extends HttpCallerContract {

    @Override
    protected HttpCaller caller() {
        return JdkHttpCaller.bounded();
    }
}
