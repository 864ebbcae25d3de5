package dev.errand.core.target;

import java.util.Optional;
import java.util.Set;

/** What request validation needs to know about targets. */
public interface TargetDirectory {

    /** Accepts any name and reserves nothing: for reading messages whose target is checked later, at call time. */
    TargetDirectory ANY = new TargetDirectory() {
        @Override
        public Optional<String> refuse(String name) {
            return Optional.empty();
        }

        @Override
        public Set<String> reservedHeaders(String name) {
            return Set.of();
        }
    };

    /** The directory of whatever targets the supplier holds at each question: a document that is re-read. */
    static TargetDirectory live(java.util.function.Supplier<? extends TargetDirectory> current) {
        return new TargetDirectory() {
            @Override
            public Optional<String> refuse(String name) {
                return current.get().refuse(name);
            }

            @Override
            public Set<String> reservedHeaders(String name) {
                return current.get().reservedHeaders(name);
            }
        };
    }

    /** Why a job may not name this target, or empty when it may. */
    Optional<String> refuse(String name);

    /** Lower-case header names this target sets itself (its API key header), which a job may not set. */
    Set<String> reservedHeaders(String name);
}
