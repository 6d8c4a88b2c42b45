"""A KServe transformer as its users write one, run by Tide as an InferenceService's transformer: it puts "a photo of"
before each text the predictor sees and says so in the answer. Tide gives it KServe's arguments (--model_name,
--predictor_host with the predictor's cluster-local host, --http_port) and an HTTP proxy through which that host
reaches the predictor; nothing here knows it runs on Tide."""
import argparse

from kserve import Model, ModelServer, model_server


class Prefix(Model):
    def __init__(self, name):
        super().__init__(name)
        self.ready = True

    def preprocess(self, payload, headers=None):
        return {"instances": ["a photo of " + t for t in payload["instances"]]}

    def postprocess(self, response, headers=None):
        response["transformer"] = "prefix"
        return response


if __name__ == "__main__":
    args, _ = argparse.ArgumentParser(parents=[model_server.parser]).parse_known_args()
    ModelServer().start([Prefix(args.model_name)])
