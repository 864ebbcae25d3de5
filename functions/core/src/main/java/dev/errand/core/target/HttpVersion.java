package dev.errand.core.target;

/** Which HTTP version Errand speaks to a target. */
public enum HttpVersion {
    /** HTTP/2 when the provider offers it during the TLS handshake (ALPN), HTTP/1.1 otherwise; always 1.1 over plain http. */
    AUTO("auto"),
    /** HTTP/1.1 only: for a provider whose HTTP/2 is broken or slower. */
    HTTP_1_1("1.1");

    private final String wire;

    HttpVersion(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
