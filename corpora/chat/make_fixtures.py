#!/usr/bin/env python3
"""Writes the chat-export fixtures in corpora/chat/ and, for each, the expected findings
(`<fixture>.expected.json`) from the SAME ground truth the fixture was rendered from — never from
our parser's output. Run from anywhere: python3 corpora/chat/make_fixtures.py
Deterministic: no clock, fixed random seeds.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures_telegram import telegram_fixtures  # noqa: E402
from fixtures_text import whatsapp_fixtures, kakao_fixtures, line_fixtures  # noqa: E402
from fixtures_other import discord_fixtures, hostile_fixtures  # noqa: E402
from fixtures_variants import variant_fixtures  # noqa: E402

if __name__ == "__main__":
    for gen in (telegram_fixtures, whatsapp_fixtures, kakao_fixtures, line_fixtures, discord_fixtures, hostile_fixtures,
                variant_fixtures):
        gen()
    print("fixtures written under", os.path.dirname(os.path.abspath(__file__)))
