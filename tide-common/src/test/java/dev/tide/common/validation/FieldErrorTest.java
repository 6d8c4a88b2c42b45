package dev.tide.common.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FieldErrorTest {

    @Test
    void outOfBoundsReadsLikeKnative() {
        assertThat(FieldError.outOfBounds(101L, 0, 100, "spec.traffic[0].percent"))
                .hasToString("expected 0 <= 101 <= 100: spec.traffic[0].percent");
    }

    @Test
    void wholeDoublesPrintWithoutFraction() {
        assertThat(FieldError.outOfBounds(0.0, 1.0, 100.0, "x")).hasToString("expected 1 <= 0 <= 100: x");
        assertThat(FieldError.outOfBounds(0.005, 0.01, "+Inf", "x")).hasToString("expected 0.01 <= 0.005 <= +Inf: x");
    }

    @Test
    void detailsGoOnTheirOwnLine() {
        assertThat(FieldError.invalidValue("abc", "spec.x", "must be a number"))
                .hasToString("invalid value: abc: spec.x\nmust be a number");
    }

    @Test
    void collectorKeepsEveryErrorInOrder() {
        FieldErrors errors = new FieldErrors()
                .add(FieldError.missingField("spec.template"))
                .add(FieldError.disallowedField("status"));
        assertThat(errors.size()).isEqualTo(2);
        assertThat(errors).hasToString("missing field(s): spec.template\nmust not set the field(s): status");
    }
}
