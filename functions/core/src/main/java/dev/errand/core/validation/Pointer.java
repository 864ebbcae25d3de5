package dev.errand.core.validation;

/** A JSON Pointer (RFC 6901) naming the place in a request that a problem is about; "" is the whole document. */
public record Pointer(String value) {

    public static final Pointer ROOT = new Pointer("");

    public Pointer child(String key) {
        return new Pointer(value + "/" + key.replace("~", "~0").replace("/", "~1"));
    }

    public Pointer child(int index) {
        return new Pointer(value + "/" + index);
    }

    @Override
    public String toString() {
        return value;
    }
}
