"""A checker for Godot's text-resource grammar, to test .tres files with a reader that is not the writer's.

It follows ``core/variant/variant_parser.cpp`` (``get_token``, ``parse_value``, ``_parse_tag``,
``parse_tag_assign_eof``) and ``scene/resources/resource_format_text.cpp`` (``ResourceLoaderText::open`` and
``load``: the order of the sections and the fields each tag needs), restricted to the values a SpriteFrames
file holds. Anything outside that subset is refused rather than skipped, so a file it accepts is one Godot
reads the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class GrammarError(ValueError):
    pass


@dataclass(frozen=True)
class StringName:
    text: str


@dataclass(frozen=True)
class Rect2:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Ref:
    kind: str  # "ExtResource" or "SubResource"
    id: str


@dataclass(frozen=True)
class Token:
    kind: str  # a punctuation character, "identifier", "string", "string_name", "number" or "eof"
    value: object = None


@dataclass
class TextResource:
    header: dict[str, object]
    ext_resources: dict[str, dict[str, object]] = field(default_factory=dict)  # id → tag fields
    sub_resources: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)  # id → (type, properties)
    properties: dict[str, object] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # tag names as they come


_PUNCTUATION = set("{}[]():,.=")
_LETTER_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}


class Lexer:
    """``VariantParser::get_token`` over a file's text (decoded as UTF-8, which is how Godot re-reads strings)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def _next_char(self) -> str:
        if self.position >= len(self.text):
            return ""
        character = self.text[self.position]
        self.position += 1
        return character

    def token(self) -> Token:
        while True:
            character = self._next_char()
            if character == "":
                return Token("eof")
            if character == ";":  # a comment, to the end of the line
                while self._next_char() not in ("\n", ""):
                    pass
                continue
            if ord(character) <= 32:
                continue
            if character in _PUNCTUATION:
                return Token(character)
            if character == "&":
                if self._next_char() != '"':
                    raise GrammarError("expected '\"' after '&'")
                return Token("string_name", self._string())
            if character == '"':
                return Token("string", self._string())
            if character == "-" or (character.isascii() and character.isdigit()):
                return Token("number", self._number(character))
            if character.isascii() and (character.isalpha() or character == "_"):
                start = self.position - 1
                while self.position < len(self.text) and re.match(r"[A-Za-z0-9_]", self.text[self.position]):
                    self.position += 1
                return Token("identifier", self.text[start : self.position])
            raise GrammarError(f"unexpected character {character!r} at {self.position - 1}")

    def _string(self) -> str:
        result = []
        lead = 0  # a UTF-16 lead surrogate waiting for its trail
        while True:
            character = self._next_char()
            if character == "":
                raise GrammarError("unterminated string")
            if character == '"':
                break
            if character != "\\":
                if lead:
                    raise GrammarError("unpaired lead surrogate")
                result.append(character)
                continue
            escape = self._next_char()
            if escape == "":
                raise GrammarError("unterminated string")
            if escape in "uU":
                digits = "".join(self._next_char() for _ in range(4 if escape == "u" else 6))
                if not re.fullmatch(r"[0-9A-Fa-f]+", digits) or len(digits) != (4 if escape == "u" else 6):
                    raise GrammarError(f"malformed hex escape {digits!r}")
                code = int(digits, 16)
            else:
                code = ord(_LETTER_ESCAPES.get(escape, escape))  # any other escaped character stands for itself
            if 0xD800 <= code <= 0xDBFF:
                if lead:
                    raise GrammarError("unpaired lead surrogate")
                lead = code
                continue
            if 0xDC00 <= code <= 0xDFFF:
                if not lead:
                    raise GrammarError("unpaired trail surrogate")
                code, lead = 0x10000 + ((lead - 0xD800) << 10) + (code - 0xDC00), 0
            elif lead:
                raise GrammarError("unpaired lead surrogate")
            # Godot reads a file byte by byte and re-reads each string as UTF-8 (String::ascii(true) then
            # append_utf8), so an escape above U+007F comes back as a space or as mojibake: refuse it.
            if code > 0x7F:
                raise GrammarError(f"escape \\{escape}{code:x} does not survive Godot's UTF-8 re-read")
            if code == 0:
                raise GrammarError("a NUL character ends a string early")
            result.append(chr(code))
        if lead:
            raise GrammarError("unpaired lead surrogate")
        return "".join(result)

    def _number(self, first: str) -> int | float:
        start = self.position - 1
        match = re.compile(r"-?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?").match(self.text, start)
        if match is None:
            raise GrammarError(f"expected a number at {start}")
        self.position = match.end()
        text = match.group(0)
        return float(text) if ("." in text or "e" in text.lower()) else int(text)


class Parser:
    """``parse_value``, ``_parse_tag`` and the section loop of ``ResourceLoaderText::load``, for SpriteFrames."""

    def __init__(self, text: str) -> None:
        self.lexer = Lexer(text)
        self.ext_ids: set[str] = set()
        self.sub_ids: set[str] = set()
        self.peeked: Token | None = None

    def next(self) -> Token:
        if self.peeked is not None:
            token, self.peeked = self.peeked, None
            return token
        return self.lexer.token()

    def peek(self) -> Token:
        if self.peeked is None:
            self.peeked = self.lexer.token()
        return self.peeked

    def expect(self, kind: str) -> Token:
        token = self.next()
        if token.kind != kind:
            raise GrammarError(f"expected {kind}, got {token.kind} {token.value!r}")
        return token

    def value(self, token: Token | None = None) -> object:
        token = token or self.next()
        if token.kind in ("number", "string"):
            return token.value
        if token.kind == "string_name":
            return StringName(str(token.value))
        if token.kind == "[":
            return self._items("]", self.value)
        if token.kind == "{":
            return dict(self._items("}", self._pair))
        if token.kind == "identifier":
            name = token.value
            if name in ("true", "false", "null"):
                return {"true": True, "false": False, "null": None}[name]
            if name == "Rect2":
                self.expect("(")
                numbers = []
                while True:
                    numbers.append(self.expect("number").value)
                    if self.next().kind == ")":
                        break  # _parse_construct: ',' or ')' after each number
                if len(numbers) != 4:
                    raise GrammarError(f"Rect2 takes 4 numbers, got {numbers}")
                return Rect2(*map(float, numbers))
            if name in ("ExtResource", "SubResource"):
                self.expect("(")
                ref_id = str(self.expect("string").value)
                self.expect(")")
                declared = self.ext_ids if name == "ExtResource" else self.sub_ids
                if ref_id not in declared:  # the loader looks the id up while parsing: it must come first
                    raise GrammarError(f"{name}({ref_id!r}) before its declaration")
                return Ref(name, ref_id)
            raise GrammarError(f"unexpected identifier {name!r}")
        raise GrammarError(f"expected a value, got {token.kind}")

    def _pair(self, token: Token) -> tuple[str, object]:
        if token.kind != "string":
            raise GrammarError(f"a dictionary key here is a string, got {token.kind}")
        self.expect(":")
        return str(token.value), self.value()

    def _items(self, close: str, item):  # _parse_array / _parse_dictionary: items with commas between
        items = []
        need_comma = False
        while True:
            token = self.next()
            if token.kind == close:
                return items
            if token.kind == "eof":
                raise GrammarError(f"unexpected end of file before {close!r}")
            if need_comma:
                if token.kind != ",":
                    raise GrammarError(f"expected ',' or {close!r}, got {token.kind}")
                need_comma = False
                continue
            items.append(item(token))
            need_comma = True

    def tag(self) -> tuple[str, dict[str, object]]:
        self.expect("[")
        name = str(self.expect("identifier").value)
        fields: dict[str, object] = {}
        while (token := self.next()).kind != "]":
            if token.kind != "identifier":
                raise GrammarError(f"expected a field name in [{name}], got {token.kind}")
            self.expect("=")
            if token.value in fields:
                raise GrammarError(f"field {token.value!r} twice in [{name}]")
            fields[str(token.value)] = self.value()
        return name, fields

    def assignments(self) -> dict[str, object]:
        properties: dict[str, object] = {}
        while self.peek().kind == "identifier":
            key = str(self.next().value)
            self.expect("=")
            if key in properties:
                raise GrammarError(f"property {key!r} twice")
            properties[key] = self.value()
        if self.peek().kind not in ("[", "eof"):
            raise GrammarError(f"expected a property, a tag or the end, got {self.peek().kind}")
        return properties

    def resource(self) -> TextResource:
        name, header = self.tag()
        if name != "gd_resource" or not isinstance(header.get("type"), str):
            raise GrammarError(f"a .tres starts with [gd_resource type=...], got [{name}]")
        if header.get("format") != 3 or set(header) - {"type", "script_class", "load_steps", "format", "uid"}:
            raise GrammarError(f"unexpected header {header}")
        resource = TextResource(header)
        stage = 0  # 0: ext_resource, 1: sub_resource, 2: resource — the order ResourceLoaderText::load reads
        while self.peek().kind != "eof":
            if stage == 3:
                raise GrammarError("extra tag after [resource]")
            name, fields = self.tag()
            resource.order.append(name)
            if name == "ext_resource" and stage == 0:
                if set(fields) != {"type", "path", "id"} and set(fields) != {"type", "uid", "path", "id"}:
                    raise GrammarError(f"[ext_resource] fields {sorted(fields)}")
                ext_id = str(fields["id"])
                if ext_id in self.ext_ids:
                    raise GrammarError(f"ext_resource id {ext_id!r} twice")
                self.ext_ids.add(ext_id)
                resource.ext_resources[ext_id] = fields
                if self.peek().kind not in ("[", "eof"):  # the loader reads the next tag straight away
                    raise GrammarError("an [ext_resource] has no properties")
            elif name == "sub_resource" and stage <= 1:
                stage = 1
                if set(fields) != {"type", "id"}:
                    raise GrammarError(f"[sub_resource] fields {sorted(fields)}")
                sub_id = str(fields["id"])
                if not re.fullmatch(r"[A-Za-z0-9_]+", sub_id):  # Resource::set_scene_unique_id
                    raise GrammarError(f"sub_resource id {sub_id!r} is not letters, digits and underscores")
                if sub_id in self.sub_ids:
                    raise GrammarError(f"sub_resource id {sub_id!r} twice")
                self.sub_ids.add(sub_id)
                resource.sub_resources[sub_id] = (str(fields["type"]), self.assignments())
            elif name == "resource" and not fields:
                stage = 3
                resource.properties = self.assignments()
            else:
                raise GrammarError(f"unexpected [{name}] here")
        if stage != 3:
            raise GrammarError("no [resource] section")
        return resource


def parse(text: str) -> TextResource:
    return Parser(text).resource()
