"""The chat's words and looks: its language, its theme, and the customer's own Python modules.

The language comes from the settings, else the deployment's languages, else the browser
(app/chat/strings.py: choose_language); its words from the shipped table, then the settings'
`strings`, then the customer's modules' `STRINGS`. The theme's tokens come from the deployment's
primaryColor, then the settings' `theme`, then the modules' `THEME` (app/chat/theme.py); the
settings' `stylesheets` (the team's own CSS, e.g. for classes its render functions use) are added
to the chat's page.

A customer module (settings `"modules": ["custom/brand.py"]`, loaded by the edge) may define:
- `RENDERERS`: {registry name: fn(props, h, ctx)}, merged over the default look (app/chat/render.py);
- `STRINGS`: {key: text} or {language: {key: text}};
- `THEME`: the same keys as the settings' `theme`;
- `setup(chat)`: called once with the controller, for anything else (e.g. `chat.set_attributes`).
"""
from app.chat import strings as strings_mod
from app.chat import theme as theme_mod
from app.chat.strings import t


class Look:
    def __init__(self, ports, browser_languages=()):
        self.ports = ports
        self.browser_languages = list(browser_languages or ())
        self.settings = None
        self.deployment = None
        self.modules = []
        self.renderers = {}
        self._words = None  # (language, overrides) last put in force
        self._looks = None  # (tokens, scheme) last put in force

    def configure(self, settings):
        self.settings = settings
        if settings.stylesheets:
            self.ports.add_stylesheets(settings.stylesheets)
        self.apply()

    def deployment_known(self, deployment):
        self.deployment = deployment if isinstance(deployment, dict) else {}
        self.apply()

    def modules_loaded(self, modules, controller):
        self.modules = list(modules)
        renderers = {}
        for module in self.modules:
            found = getattr(module, "RENDERERS", None)
            if isinstance(found, dict):
                renderers.update(found)
        self.renderers = renderers
        if renderers:
            self.ports.use_renderers(renderers)
        self.apply()
        for module in self.modules:
            setup = getattr(module, "setup", None)
            if callable(setup):
                try:
                    setup(controller)
                except Exception as exc:  # a customer's bug must not stop the chat
                    self.ports.log("error", "chat: %s.setup() failed: %s: %s"
                                   % (getattr(module, "__name__", "module"), type(exc).__name__, exc))

    # -- what is in force -----------------------------------------------------------------------
    def language(self):
        deployment = self.deployment or {}  # until it is known, the browser decides
        offered = deployment.get("languages")
        return strings_mod.choose_language(self.settings.language if self.settings else "",
                                           offered if isinstance(offered, list) else (),
                                           deployment.get("defaultLanguage") or "", self.browser_languages)

    def theme(self):
        merged = dict(self.settings.theme) if self.settings is not None else {}
        for module in self.modules:
            found = getattr(module, "THEME", None)
            if isinstance(found, dict):
                merged.update(found)
        return merged

    def apply(self):
        """Put the words and looks in force; the panel is told only what changed (a new language
        redraws every row, so the deployment's arrival must not redraw them for nothing)."""
        if self.settings is None:
            return
        language = self.language()
        overrides = strings_mod.overrides_for(self.settings.strings, language)
        for module in self.modules:
            overrides.update(strings_mod.overrides_for(getattr(module, "STRINGS", None), language))
        words = (language, sorted(overrides.items()))
        if words != self._words:
            self._words = words
            t.use(language, overrides)
            self.ports.set_language(language, t.rtl)
        theme = self.theme()
        looks = (theme_mod.tokens(theme, self.deployment), theme_mod.scheme(theme))
        if looks != self._looks:
            self._looks = looks
            self.ports.set_theme(looks[0], looks[1])

    def launcher_colors(self):
        """The accent and its text colour, for the launcher the host page draws."""
        tokens = self._looks[0] if self._looks else {}
        return tokens.get("--gcw-accent", ""), tokens.get("--gcw-accent-text", "")
