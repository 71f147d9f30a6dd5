"""What a free-text message asks for: one intent from a fixed set, decided by ordered rules over cue
phrases and the entities found. Offline and fast (a few regexes per message); no hosted model.

The rules are ordered from the most explicit signal ("case:", "NCCI", "MUE", "RVU", "LCD") to the
weakest (a bare code is a lookup; clinical words are a search; anything else is unknown)."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

from core.assistant.entities import Entities
from core.search.text import STOPWORDS, words


class Intent(enum.StrEnum):
    LOOKUP = "lookup"
    SEARCH = "search"
    CASE = "case"
    GUIDELINE = "guideline"
    MODIFIER = "modifier"
    NCCI = "ncci"
    MUE = "mue"
    FEE = "fee"
    COVERAGE = "coverage"
    JOBS = "jobs"
    ACCOUNT = "account"
    HELP = "help"
    SMALLTALK = "smalltalk"
    UNKNOWN = "unknown"


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_MENTION = re.compile(r"<@[!&]?[A-Z0-9]+(?:\|[^>]*)?>|@codedesk\b", re.IGNORECASE)
_CASE_START = _cue(r"^\s*case\s*[:\-]", r"^\s*(?:please\s+)?code (?:this|the following|this case)\b",
                   r"^\s*how (?:would|should|do) (?:you|i|we) code (?:a|an|this|the)\s+(?:\w+\s+){0,3}"
                   r"(?:patient|pt|case|visit|encounter|\d+\s*(?:yo|y/o|year))")
_SMALLTALK = _cue(
    r"^(?:hi|hello|hey|hiya|yo|howdy|greetings|good (?:morning|afternoon|evening|night)|gm)"
    r"(?: there| all| everyone| team| codedesk| bot)?$",
    r"^(?:thanks?|thank you|thx|ty|cheers|much appreciated|appreciate it)(?: (?:so much|a lot|a ton|very much|again|"
    r"codedesk|bot|man|everyone))*$",
    r"^(?:ok(?:ay)?|got it|cool|great|nice|awesome|perfect|sounds good|bye|goodbye|see you|that helps|"
    r"you(?:'| a)?re (?:awesome|great|the best|amazing)|good (?:bot|job)|lol|ok got it|ok thanks|great thanks)$",
    r"^how are you(?: doing| today)?$", r"^(?:who|what) are you$")
_HELP = _cue(r"^(?:help|\?|commands|menu|usage)$", r"\bwhat can (?:you|codedesk|this bot|the bot|it) do\b",
             r"\bwhat (?:commands|features)\b", r"\bhow (?:do|can) i use (?:you|this|codedesk|the bot)\b",
             r"\blist (?:the |your |all )?commands\b", r"\b(?:all|your|the) commands\b",
             r"\bhelp me get started\b", r"\bwhat do you do\b")
_ACCOUNT = _cue(r"\bviews?\b.*\b(?:left|remaining|reset|used|out of|limit|more)\b",
                r"\b(?:left|remaining|out of)\b.*\bviews?\b", r"\bcode views?\b", r"\bregister\b", r"\bsign up\b",
                r"\blink (?:my|our|the)\b", r"\bmy (?:account|tier|plan|quota|profile)\b", r"\bunlimited\b",
                r"\bquota\b", r"\bunregister\b", r"\bdelete my (?:account|data|email)\b", r"\bmy usage\b",
                r"\bupgrade (?:my|our)\b",
                r"\bviews?\b.*\b(?:ran|run|running) out\b", r"\bmy views\b", r"\bslack and discord\b",
                r"\bdiscord and slack\b", r"\blink codes?\b")
_JOBS = _cue(r"\bjobs?\b", r"\bhiring\b", r"\bopenings?\b", r"\bpositions?\b", r"\bjob (?:board|digest)\b",
             r"\bdigest\b", r"\bemploy(?:er|ment)\b", r"\bcareers?\b", r"\bvacanc", r"\brecruit")
_NCCI_STRONG = _cue(r"\bncci\b", r"\bcci\b", r"\bptp\b", r"\bbundl", r"\bunbundl", r"\bcolumn (?:1|2|one|two)\b",
                    r"\bedit (?:between|for|pair)\b", r"\bedits? (?:with|on)\b", r"\bmutually exclusive\b")
_NCCI_PAIR = _cue(r"\btogether\b", r"\bsame (?:day|date|claim|session|encounter)\b", r"\bincluded in\b",
                  r"\bbill(?:ed)? .+ (?:with|and) ", r"\bwith\b", r"\bpart of\b", r"\bcan (?:i|we|you) bill\b")
_MUE = _cue(r"\bmues?\b", r"\bmedically unlikely\b", r"\bunits?\b", r"\bunit limit\b",
            r"\bmax(?:imum)? (?:units|times)\b",
            r"\bhow many (?:times|units)\b", r"\bper (?:day|date of service)\b.*\b(?:max|many|limit)\b")
_FEE = _cue(r"\brvus?\b", r"\brelative value", r"\bfee schedule\b", r"\bpays?\b", r"\bpaid\b", r"\bpayment\b",
            r"\breimburse", r"\ballowed amount\b", r"\bgpci\b", r"\bconversion factor\b", r"\bprice\b", r"\bhow much\b",
            r"\bnon-?facility\b", r"\brate for\b", r"\bmpfs\b", r"\bpfs\b")
_COVERAGE = _cue(r"\blcds?\b", r"\bncds?\b", r"\bcover(?:ed|s|age)?\b", r"\bmedical necessity\b",
                 r"\bmedically necessary\b", r"\b(?:diagnos[ie]s|dx(?: codes)?|icd-?10 codes) (?:that )?(?:support|"
                 r"are payable|payable|covered)\b", r"\bsupport(?:s|ing)? (?:medical necessity|\d{5})\b",
                 r"\bwhat diagnos[ie]s support\b", r"\bpayable (?:diagnos|dx)\b", r"\bcoverage article\b",
                 r"\bbilling and coding article\b")
_MODIFIER = _cue(r"\bmodifiers?\b", r"\bmods?\b")
_GUIDELINE = _cue(
    r"\bguidelines?\b", r"\brules?\b", r"\bconvention", r"\bsequenc", r"\bexcludes ?[12]\b", r"\bexcludes\b",
    r"\bcode first\b", r"\buse additional\b", r"\bcode also\b", r"\b7th character", r"\bseventh character",
    r"\bplaceholder\b", r"\bcombination code", r"\bprincipal diagnosis\b", r"\bfirst[- ]listed\b",
    r"\bwhen (?:do|can|should|is|are|to) (?:i|we|you)?\b",
    r"\bhow (?:do|should|can|to) (?:i |we |you )?(?:code|report|bill|pick|choose|select|assign|use)\b",
    r"\bhow (?:is|are) .* (?:coded|billed|reported)\b", r"\bwhat is the (?:rule|default|definition|difference)\b",
    r"\bdifference between\b", r"\b(?:mdm|medical decision making)\b", r"\be/?m\b", r"\bsplit[/ -]shared\b",
    r"\bprolonged\b", r"\bg2211\b", r"\bawv\b", r"\bannual wellness\b", r"\bwellness visit\b", r"\bippe\b",
    r"\bpreventive\b", r"\bmedicare pay consult\b", r"\bconsult codes\b", r"\bnew (?:vs\.?|versus|or) established\b",
    r"\bnew and established\b", r"\bhistory of codes\b", r"\bstatus codes\b", r"\bexternal cause", r"\bsequela\b",
    r"\blaterality\b", r"\bimpending\b", r"\bintegral\b", r"\bborderline\b", r"\bnec\b", r"\bnos\b",
    r"\balphabetic index\b", r"\btabular\b", r"\bcomplication of care\b", r"\bsyndromes?\b", r"\buncertain\b",
    r"\brule out\b", r"\bprobable\b", r"\bpresumed\b", r"\bassume (?:a |the )?link\b", r"\bunbundling\b",
    r"\badd-?on codes?\b", r"\bglobal (?:surgical |surgery )?(?:package|period)\b", r"\bmodifier indicator\b",
    r"\badjudication indicator\b", r"\bplace of service\b", r"\bpos \d{2} or\b", r"\bhow many minutes\b",
    r"\bminutes for\b", r"\bwhat does [\"“]?with[\"”]? mean\b", r"\bwhat counts toward\b", r"\bwhat is included in\b",
    r"\bhow often\b", r"\bwhat are the (?:ncci )?principles\b", r"\bis (?:it|this) (?:required|allowed)\b",
    r"\bare .* required\b", r"\bcan (?:i|we) (?:code|report|assume)\b", r"\bcan .* be coded\b", r"\bcoding rule\b",
    r"\bdo i code\b", r"\bwhat (?:counts|qualifies)\b", r"\bdefault\b", r"\bwhat is the ippe\b",
    r"\bchapter \d+\b", r"\bweeks of gestation\b", r"\bcan a nurse\b", r"\bnot documented\b", r"\bisn'?t documented\b",
    r"\bexplain\b", r"\bwhat are the .* elements\b", r"\blinked\b", r"\balways\b",
    r"\bbe (?:coded|billed|reported|sequenced|assigned)\b", r"\bsetting\b", r"\bquery\b", r"\bclinical criteria\b",
    r"\bdo i need to\b", r"\bthresholds?\b", r"\bnew patients?\b", r"\bestablished patients?\b", r"\bapply\b")
_CLINICAL_CASE = _cue(
    r"\b\d{1,3}\s*(?:yo|y/o|y\.o\.|yr|yrs|year[- ]old|years? old)\b", r"\b\d{1,3}\s*[mf]\b", r"\b\d{1,3}[mf]\b",
    r"\b(?:pt|patient|male|female|man|woman|boy|girl) (?:is |was )?(?:a |an )?(?:\d|with|presents|here|admitted|seen|"
    r"on|has|who)\b", r"\bpresents? (?:with|for|to)\b", r"\badmitted (?:with|for)\b", r"\bdiagnosed with\b",
    r"\bfollow[- ]?up (?:for|of|visit)\b", r"\bhere for\b", r"\bs/p\b", r"\bstatus post\b", r"\bdenies\b",
    r"\bcomplains of\b", r"\bc/o\b", r"\bhx of\b", r"\bhistory of .* (?:with|and|no|s/p)\b", r"\bweeks pregnant\b",
    r"\bon (?:insulin|dialysis|metformin)\b", r"\binitial visit\b", r"\bdue to (?:hypertension|diabetes)\b")
_CODE_QUESTION = _cue(r"\b(?:what is|what's|whats|what does|explain what|explain|describe|define|meaning of|look ?up|"
                      r"pull up|tell me about|show me)\s+(?:the\s+)?(?:code\s+|icd(?:-?10)?\s+|cpt\s+|hcpcs\s+)?"
                      r"(?:[a-z]\d|\d{4})")
_SEARCH = _cue(
    r"\b(?:code|codes|dx|diagnosis|icd[- ]?10(?:[- ]?cm)?|icd|cpt|hcpcs)\s+(?:code\s+)?(?:for|of)\b",
    r"\bwhat(?:'s| is)? the (?:icd[- ]?10 |cpt |hcpcs |diagnosis |dx )?code (?:for|of)\b", r"^\s*search\b",
    r"\bfind (?:a |the )?code\b", r"\bwhat code (?:do i use )?for\b", r"\bicd[- ]?10(?:[- ]?cm)? for\b",
    r"\bwhat code do i use\b", r"\bicd ?10 code\b", r"\bcode for\b")
_LOOKUP = _cue(r"\bwhat (?:is|are|does)\b", r"\bwhat'?s\b", r"\blook ?up\b", r"\bpull up\b", r"\bdescribe\b",
               r"\bdefine\b", r"\bmeaning\b", r"\bbillable\b", r"\bvalid\b", r"\bshow me\b", r"\btell me about\b",
               r"\bdescription\b")
# A message made only of these words is chat ("hi there, thanks!"), whatever their order.
_CHAT_WORDS = frozenset({
    "hi", "hello", "hey", "hiya", "there", "all", "everyone", "team", "thanks", "thank", "you", "thx", "ty", "so",
    "much", "a", "lot", "ok", "okay", "great", "good", "morning", "afternoon", "evening", "cool", "nice", "awesome",
    "perfect", "bye", "cheers", "codedesk", "bot", "again", "very", "got", "it", "that", "helps", "helped",
    "appreciate", "appreciated", "yes", "yep", "sure", "no", "worries", "welcome", "lol", "wow", "amazing",
})
_CONTENT_SKIP = STOPWORDS | {"s", "t", "ll", "re", "d", "m", "ve", "is", "am", "im", "your", "our", "us", "some",
                              "lot", "much", "nearby", "tomorrow", "today", "tonight", "yesterday", "last", "next"}


def clean_question(text: str) -> str:
    """The question without the bot mention and surrounding space."""
    return " ".join(_MENTION.sub(" ", text).split())


def classify(text: str, entities: Entities, is_clinical: Callable[[str], bool]) -> Intent:
    """One intent for a message. `is_clinical` says whether a word belongs to the clinical vocabulary."""
    question = clean_question(text)
    plain = question.lower().strip(" ?!.,")
    if not plain:
        return Intent.HELP
    if _CASE_START.search(question):
        return Intent.CASE
    if _SMALLTALK.search(plain) or set(re.findall(r"[a-z']+", plain)) <= _CHAT_WORDS:
        return Intent.SMALLTALK
    greeting = re.match(r"^(?:hi|hello|hey|thanks|thank you)[,!. ]+(?:codedesk[,!. ]+)?(.+)$", plain)
    if greeting:  # "hi, what is 99213" is the question after the greeting
        plain = greeting.group(1)
    if _HELP.search(plain):
        return Intent.HELP
    codes, procedures = entities.codes, entities.procedure_codes
    if _ACCOUNT.search(plain) and not codes:
        return Intent.ACCOUNT
    if _JOBS.search(plain) and not codes:
        return Intent.JOBS
    if (entities.credentials or entities.states) and not codes and not entities.modifiers and not _FEE.search(plain):
        return Intent.JOBS
    if re.search(r"\bmues?\b|\bmedically unlikely\b", plain) and procedures:
        return Intent.MUE
    if _NCCI_STRONG.search(plain) and (procedures or re.search(r"\bncci edit (?:between|for)\b", plain)):
        return Intent.NCCI
    if _MUE.search(plain) and procedures and not _FEE.search(plain):
        return Intent.MUE
    if _FEE.search(plain) and procedures and not _COVERAGE.search(plain):
        return Intent.FEE
    if _COVERAGE.search(plain) and (procedures or re.search(r"\blcds?\b|\bncds?\b|\bcoverage\b", plain)):
        return Intent.COVERAGE
    if entities.modifiers or re.search(r"\b(?:what|which) modifiers?\b|\bmodifier (?:for|to use|do i)\b", plain):
        return Intent.MODIFIER
    if entities.places_of_service and re.search(r"\btele(?:health|medicine)\b|\bvirtual\b", plain):
        return Intent.MODIFIER
    if len(procedures) >= 2 and _NCCI_PAIR.search(plain):
        return Intent.NCCI
    if _CLINICAL_CASE.search(question) and not _SEARCH.search(plain) and not entities.codes:
        return Intent.CASE
    if codes and _CODE_QUESTION.search(plain):  # "explain what H10.13 is": about the code itself
        return Intent.LOOKUP
    if _GUIDELINE.search(plain) or _NCCI_STRONG.search(plain):
        return Intent.GUIDELINE
    if codes:
        return Intent.LOOKUP
    if _SEARCH.search(plain):
        return Intent.SEARCH
    if _looks_clinical(plain, is_clinical):
        if re.search(r",|\band\b|\bwith\b", plain) and len(plain.split()) >= 6:
            return Intent.CASE
        return Intent.SEARCH
    return Intent.UNKNOWN


def _looks_clinical(plain: str, is_clinical: Callable[[str], bool]) -> bool:
    content = [w for w in words(plain) if w not in _CONTENT_SKIP and not w.isdigit()]
    if not content:
        return False
    clinical = sum(1 for w in content if is_clinical(w))
    return clinical * 2 > len(content)
