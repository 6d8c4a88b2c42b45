package dev.tide.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.runtime.Replica;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

class PodStatesTest {

    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withName("web-00001-deployment-abcde-fghij").endMetadata();
    }

    @Test
    void readyWithAnIpIsReadyAndLosingReadinessAfterIsNotReady() {
        Pod ready = pod().withNewStatus().withPhase("Running").withPodIP("10.0.0.7").addNewCondition().withType("Ready")
                .withStatus("True").endCondition().endStatus().build();
        assertThat(PodStates.state(ready, false)).isEqualTo(Replica.State.READY);
        assertThat(PodStates.ip(ready)).isEqualTo("10.0.0.7");
        Pod notReady = pod().withNewStatus().withPhase("Running").withPodIP("10.0.0.7").addNewCondition().withType("Ready")
                .withStatus("False").endCondition().endStatus().build();
        assertThat(PodStates.state(notReady, true)).isEqualTo(Replica.State.NOT_READY);
        assertThat(PodStates.state(notReady, false)).isEqualTo(Replica.State.STARTING);
        assertThat(PodStates.state(pod().build(), false)).as("no status yet: pending").isEqualTo(Replica.State.STARTING);
    }

    @Test
    void aCrashLoopOrAnImageThatCannotBePulledIsCrashedWithTheKubeletsWords() {
        Pod looping = pod().withNewStatus().withPhase("Running").addNewContainerStatus().withName("user-container").withRestartCount(4)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").withMessage("back-off 40s restarting failed container")
                .endWaiting().endState().withNewLastState().withNewTerminated().withExitCode(137).withReason("OOMKilled").endTerminated()
                .endLastState().endContainerStatus().endStatus().build();
        assertThat(PodStates.state(looping, true)).isEqualTo(Replica.State.CRASHED);
        assertThat(PodStates.restarts(looping)).isEqualTo(4);
        assertThat(PodStates.lastTermination(looping)).isEqualTo(new Replica.Termination(137, "OOMKilled", ""));
        assertThat(PodStates.why(looping)).containsExactly("pod web-00001-deployment-abcde-fghij: CrashLoopBackOff: back-off 40s "
                + "restarting failed container");
        Pod pulling = pod().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("user-container").withNewState()
                .withNewWaiting().withReason("ContainerCreating").endWaiting().endState().endContainerStatus().endStatus().build();
        assertThat(PodStates.state(pulling, false)).as("a normal step of a start").isEqualTo(Replica.State.STARTING);
        Pod badImage = pod().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("user-container").withNewState()
                .withNewWaiting().withReason("ImagePullBackOff").endWaiting().endState().endContainerStatus().endStatus().build();
        assertThat(PodStates.state(badImage, false)).isEqualTo(Replica.State.CRASHED);
    }
}
