package dev.tide.autoscaler;

/** The outcome of one tick. */
public sealed interface ScaleDecision {

    /**
     * @param desired             replicas wanted, before min/max/initial scale and scale-to-zero rules
     * @param excessBurstCapacity spare capacity beyond the burst wanted; negative keeps the activator in the path
     * @param panicking           whether the decider is in panic mode after this tick
     */
    record Scale(int desired, int excessBurstCapacity, boolean panicking) implements ScaleDecision {
    }

    /** Nothing decided (no data): the previous decision stands. */
    record NoDecision(String reason) implements ScaleDecision {
    }
}
