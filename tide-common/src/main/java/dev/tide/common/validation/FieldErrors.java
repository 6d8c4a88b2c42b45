package dev.tide.common.validation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects every validation failure of one object, so a user sees all of them at once instead of fixing
 * them one round trip at a time. Not thread-safe: one collector per validation call.
 */
public final class FieldErrors {

    private final List<FieldError> errors = new ArrayList<>();

    public FieldErrors add(FieldError error) {
        errors.add(error);
        return this;
    }

    public FieldErrors addAll(FieldErrors other) {
        errors.addAll(other.errors);
        return this;
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public int size() {
        return errors.size();
    }

    public List<FieldError> list() {
        return Collections.unmodifiableList(errors);
    }

    /** Throws {@link ValidationException} carrying every error, if there is any. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new ValidationException(List.copyOf(errors));
        }
    }

    /** One error per line, in the order they were found. */
    @Override
    public String toString() {
        return String.join("\n", errors.stream().map(FieldError::toString).toList());
    }
}
