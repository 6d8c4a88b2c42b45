package dev.tide.common.text;

/** Parses booleans with the spellings Go's {@code strconv.ParseBool} accepts, as Knative's ConfigMaps do. */
public final class GoBool {

    private GoBool() {
    }

    /**
     * Parses {@code 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static boolean parse(String text) {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new IllegalArgumentException("strconv.ParseBool: parsing \"" + text + "\": invalid syntax");
        };
    }
}
