"""The recognise stage: who is mentioned (actors) in a segmented Doc."""

from pipeline.recognise.actors import ACTOR_LABEL, actor_mentions, add_actor_ruler, mention_actor_id

__all__ = ["ACTOR_LABEL", "actor_mentions", "add_actor_ruler", "mention_actor_id"]
