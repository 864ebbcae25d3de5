package dev.errand.core.validation;

/** One problem with a request: where it is and what is wrong, in words a caller can act on. */
public record FieldError(Pointer pointer, String detail) {}
