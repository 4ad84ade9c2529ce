"""Imported by the upload readers' forkserver (knowledge.isolated_prepare), so that every reader forked from
it starts warm: loaders, chunker and tokeniser imported and jieba's dictionary loaded once per server, not
once per upload (that costs seconds)."""

from knowledge.isolated_prepare import warm_up

warm_up()
