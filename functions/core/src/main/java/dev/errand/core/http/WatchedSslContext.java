package dev.errand.core.http;

import java.nio.ByteBuffer;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} that behaves exactly as the one it wraps and reports what each TLS connection the
 * HTTP client opens goes through: opened, handshake finished (with the protocol ALPN chose), a request
 * written on a connection that had already carried an answer (a reused connection), failed. The JDK's
 * HTTP client says none of this itself, and the connection gate needs it to bound handshakes.
 */
final class WatchedSslContext extends SSLContext {

    /** What happens to the connections of one lane; called on the HTTP client's own threads, so it must not block. */
    interface Listener {
        void opened(String authority);

        void established(String authority, String applicationProtocol);

        void reused(String authority);

        /** The first request on a new HTTP/2 connection was written: the JDK client pools a connection before that. */
        void firstRequest(String authority);

        void failed(String authority);
    }

    WatchedSslContext(SSLContext delegate, Listener listener) {
        super(new Spi(delegate, listener), delegate.getProvider(), delegate.getProtocol());
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext delegate;
        private final Listener listener;

        Spi(SSLContext delegate, Listener listener) {
            this.delegate = delegate;
            this.listener = listener;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            delegate.init(km, tm, sr);
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return delegate.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return delegate.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            WatchedEngine engine = new WatchedEngine(delegate.createSSLEngine(host, port), host + ":" + port, listener);
            listener.opened(engine.authority);
            return engine;
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }

    /**
     * The client side of an HTTP/2 connection as written: the 24-byte preface, then frames of a 9-byte header
     * (length, type, flags, stream) and a payload. Only the frame types matter: HEADERS (1) starts a request.
     */
    static final class Http2Frames {
        private static final int PREFACE = 24;
        private static final int HEADER = 9;
        private static final int HEADERS = 1;
        private long skip = PREFACE;
        private final byte[] head = new byte[HEADER];
        private int filled;

        /** Reads {@code count} bytes from the buffers' positions; true once a HEADERS frame has begun. */
        boolean readUntilHeaders(ByteBuffer[] buffers, int count) {
            int left = count;
            for (ByteBuffer b : buffers) {
                while (left > 0 && b.hasRemaining()) {
                    if (skip > 0) {
                        int n = (int) Math.min(skip, Math.min(left, b.remaining()));
                        b.position(b.position() + n);
                        skip -= n;
                        left -= n;
                        continue;
                    }
                    head[filled++] = b.get();
                    left--;
                    if (filled == HEADER) {
                        filled = 0;
                        if (head[3] == HEADERS) {
                            return true;
                        }
                        skip = ((head[0] & 0xffL) << 16) | ((head[1] & 0xffL) << 8) | (head[2] & 0xffL);
                    }
                }
            }
            return false;
        }
    }

    /** Passes everything to the real engine, watching the results of wrap and unwrap. */
    private static final class WatchedEngine extends SSLEngine {
        private final SSLEngine engine;
        private final String authority;
        private final Listener listener;
        private boolean established;
        private boolean ended;
        /** Application data was read since the last request was written: the next write is a new request on this connection. */
        private boolean answered;
        /** Reads the plaintext an HTTP/2 connection writes until its first HEADERS frame. */
        private Http2Frames frames;

        WatchedEngine(SSLEngine engine, String authority, Listener listener) {
            super(engine.getPeerHost(), engine.getPeerPort());
            this.engine = engine;
            this.authority = authority;
            this.listener = listener;
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
            Http2Frames reading = frames;
            ByteBuffer[] before = reading == null ? null : duplicates(srcs, offset, length);
            try {
                SSLEngineResult result = engine.wrap(srcs, offset, length, dst);
                afterWrap(result);
                if (reading != null && result.bytesConsumed() > 0 && reading.readUntilHeaders(before, result.bytesConsumed())) {
                    frames = null;
                    listener.firstRequest(authority);
                }
                return result;
            } catch (SSLException e) {
                fail();
                throw e;
            }
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
            try {
                SSLEngineResult result = engine.unwrap(src, dsts, offset, length);
                afterUnwrap(result);
                return result;
            } catch (SSLException e) {
                fail();
                throw e;
            }
        }

        private void afterWrap(SSLEngineResult result) {
            boolean finished = finished(result);
            boolean reuse;
            synchronized (this) {
                reuse = established && !finished && result.bytesConsumed() > 0 && answered;
                if (reuse) {
                    answered = false;
                }
            }
            if (reuse) {
                listener.reused(authority);
            }
        }

        private void afterUnwrap(SSLEngineResult result) {
            finished(result);
            if (result.bytesProduced() > 0) {
                synchronized (this) {
                    answered = established;
                }
            }
        }

        /** Reports the end of the handshake once; true when this result ended it. */
        private boolean finished(SSLEngineResult result) {
            if (result.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.FINISHED) {
                return false;
            }
            synchronized (this) {
                if (established || ended) {
                    return false;
                }
                established = true;
            }
            String protocol = java.util.Optional.ofNullable(engine.getApplicationProtocol()).orElse("");
            if (protocol.equals("h2")) {
                frames = new Http2Frames();
            }
            listener.established(authority, protocol);
            return true;
        }

        private static ByteBuffer[] duplicates(ByteBuffer[] srcs, int offset, int length) {
            ByteBuffer[] copies = new ByteBuffer[length];
            for (int i = 0; i < length; i++) {
                copies[i] = srcs[offset + i].duplicate();
            }
            return copies;
        }

        private void fail() {
            synchronized (this) {
                if (established || ended) {
                    return;
                }
                ended = true;
            }
            listener.failed(authority);
        }

        @Override
        public Runnable getDelegatedTask() {
            return engine.getDelegatedTask();
        }

        @Override
        public void closeInbound() throws SSLException {
            fail();
            engine.closeInbound();
        }

        @Override
        public boolean isInboundDone() {
            return engine.isInboundDone();
        }

        @Override
        public void closeOutbound() {
            fail();
            engine.closeOutbound();
        }

        @Override
        public boolean isOutboundDone() {
            return engine.isOutboundDone();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return engine.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return engine.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            engine.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return engine.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return engine.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            engine.setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return engine.getSession();
        }

        @Override
        public SSLSession getHandshakeSession() {
            return engine.getHandshakeSession();
        }

        @Override
        public void beginHandshake() throws SSLException {
            engine.beginHandshake();
        }

        @Override
        public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return engine.getHandshakeStatus();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            engine.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return engine.getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            engine.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return engine.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            engine.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return engine.getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            engine.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return engine.getEnableSessionCreation();
        }

        @Override
        public SSLParameters getSSLParameters() {
            return engine.getSSLParameters();
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            engine.setSSLParameters(params);
        }

        @Override
        public String getApplicationProtocol() {
            return engine.getApplicationProtocol();
        }

        @Override
        public String getHandshakeApplicationProtocol() {
            return engine.getHandshakeApplicationProtocol();
        }

        @Override
        public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
            engine.setHandshakeApplicationProtocolSelector(selector);
        }

        @Override
        public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
            return engine.getHandshakeApplicationProtocolSelector();
        }
    }
}
