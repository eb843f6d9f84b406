"""Arabic words for the chat (keys as in app/chat/strings.py; a missing key falls back to English)."""

STRINGS = {
    "status.connecting": "جارٍ الاتصال…",
    "status.connected": "متصل",
    "status.reconnecting": "جارٍ إعادة الاتصال…",
    "status.ended": "انتهت المحادثة",
    "status.closed": "المحادثة مغلقة",
    "status.expired": "انتهت صلاحية المحادثة",
    "status.failed": "غير متصل",
    "status.idle": "نحن جاهزون لخدمتك",
    "hint.connecting": "جارٍ الاتصال…",
    "hint.queued": "سيتم إرسال الرسائل فور الاتصال",
    "hint.reconnecting": "سيتم إرسال الرسائل فور إعادة الاتصال",
    "hint.type": "اكتب رسالة",
    "hint.ended": "انتهت هذه المحادثة",
    "hint.closed": "هذه المحادثة مغلقة",
    "hint.expired": "انتهت صلاحية هذه المحادثة",
    "hint.unavailable": "المحادثة غير متاحة",
    "hint.idle": "اكتب رسالة",
    "author.you": "أنت",
    "author.bot": "المساعد",
    "author.agent": "موظف الدعم",
    "badge.bot": "روبوت",
    "badge.agent": "موظف",
    "typing.named": "{name} يكتب…",
    "typing.someone": "شخص ما يكتب…",
    "state.pending": "جارٍ الإرسال…",
    "state.sent": "تم الإرسال",
    "state.failed": "لم يتم الإرسال",
    "failed.retry": "إعادة المحاولة",
    "failed.edit": "تعديل",
    "day.today": "اليوم",
    "day.yesterday": "أمس",
    "earlier": "تحميل الرسائل السابقة",
    "new_messages": "رسائل جديدة",
    "ended.system": "انتهت المحادثة.",
    "agent.joined": "انضم {name} إلى المحادثة",
    "unsupported": "تحتوي هذه الرسالة على محتوى لا يمكن عرضه هنا.",
    "log.label": "المحادثة",
    "quick_replies.label": "ردود مقترحة",
    "card.open": "فتح",
    "link.new_tab": "(يُفتح في علامة تبويب جديدة)",
    "carousel.label": "عدد البطاقات: {count}",
    "carousel.position": "{index} من {count}",
    "carousel.previous": "البطاقة السابقة",
    "carousel.next": "البطاقة التالية",
    "date.label": "المواعيد المتاحة",
    "date.duration_min": "{minutes} د",
    "date.duration_h": "{hours} س",
    "date.duration_hm": "{hours} س {minutes} د",
    "date.none": "لا توجد مواعيد متاحة.",
    "date.choice": "{time}",
    "list.choose": "اختيار",
    "list.none": "اختر خيارًا واحدًا على الأقل.",
    "answered": "تمت الإجابة",
    "attachment.open_image": "فتح الصورة {name}",
    "attachment.download": "تنزيل {name}",
    "attachment.refreshing": "جارٍ الحصول على رابط جديد…",
    "attachment.unavailable": "هذا الملف لم يعد متاحًا.",
    "attachment.close": "إغلاق",
    "attachment.image": "صورة",
    "size.bytes": "{n} بايت",
    "size.kb": "{n} ك.ب",
    "size.mb": "{n} م.ب",
    "upload.attach": "إرفاق ملف",
    "upload.state.requesting": "جارٍ التحضير…",
    "upload.state.uploading": "جارٍ الرفع {percent}%",
    "upload.state.processing": "جارٍ التحقق…",
    "upload.state.ready": "جاهز للإرسال",
    "upload.state.failed": "تعذّر الرفع",
    "upload.cancel": "إلغاء رفع {name}",
    "upload.cancel_short": "إلغاء",
    "upload.retry": "إعادة محاولة رفع {name}",
    "upload.remove": "إزالة {name}",
    "upload.progress": "جارٍ رفع {name}",
    "upload.drop": "أفلِت الملفات هنا لإرفاقها",
    "upload.tray": "ملفات للإرسال",
    "upload.disabled": "لا يمكن إرسال ملفات في هذه المحادثة.",
    "upload.no_name": "هذا الملف ليس له اسم.",
    "upload.name_too_long": (
        "يتجاوز اسم هذا الملف {max} حرفًا. غيّر اسمه وحاول مرة أخرى."
    ),
    "upload.blocked": "لا يمكن إرسال “{name}”: ملفات {ext} غير مسموح بها هنا.",
    "upload.type": "لا يمكن إرسال “{name}”: تقبل هذه المحادثة {kinds}.",
    "upload.kinds_more": "{kinds} و{n} أنواع أخرى",
    "upload.empty": "الملف “{name}” فارغ.",
    "upload.too_large": (
        "الملف “{name}” كبير جدًا: الحد الأقصى لحجم الملفات {limit}."
    ),
    "upload.offline": "تعذّر رفع “{name}”. تحقق من اتصالك وحاول مرة أخرى.",
    "upload.put_refused": "تعذّر رفع “{name}”. حاول مرة أخرى.",
    "upload.no_link": "تعذّر رفع “{name}”. حاول مرة أخرى.",
    "upload.try_again": "حاول مرة أخرى بعد قليل.",
    "kind.image": "الصور",
    "kind.video": "مقاطع الفيديو",
    "kind.audio": "الملفات الصوتية",
    "kind.text": "الملفات النصية",
    "kind.application": "المستندات",
    "composer.label": "الرسالة",
    "composer.send": "إرسال",
    "composer.left": "المتبقي: {n}",
    "composer.over": "الزائد: {n}",
    "composer.too_long": "هذه الرسالة أطول من أن تُرسل. اختصرها قليلًا.",
    "notice.ended.title": "انتهت المحادثة",
    "notice.ended.read_only": (
        "انتهت هذه المحادثة. يمكنك قراءتها، "
        "لكن لا يمكن إرسال رسائل جديدة."
    ),
    "notice.ended.message": "أنهى موظف الدعم هذه المحادثة.",
    "notice.ended.action": "أرسل رسالة لبدء محادثة جديدة.",
    "notice.new_chat": "بدء محادثة جديدة",
    "notice.expiry.title": "هل ما زلت هنا؟",
    "notice.expiry.message": (
        "ستُغلق هذه المحادثة خلال {minutes} "
        "دقيقة في حال عدم وجود أي نشاط."
    ),
    "notice.expiry.message_one": (
        "ستُغلق هذه المحادثة خلال دقيقة "
        "واحدة في حال عدم وجود أي نشاط."
    ),
    "notice.expiry.action": "أرسل رسالة لإبقائها مفتوحة.",
    "notice.unavailable.title": "المحادثة غير متاحة حاليًا",
    "notice.unavailable.message": "عذرًا، لا يمكننا توصيلك بأحد في الوقت الحالي.",
    "notice.unavailable.action": "يُرجى المحاولة مرة أخرى بعد قليل.",
    "notice.retry": "حاول مرة أخرى",
    "panel.title": "تحدّث معنا",
    "panel.close": "إغلاق المحادثة",
    "panel.jump": "رسائل جديدة ↓",
    "launcher.open": "تحدّث معنا",
    "launcher.close": "إغلاق المحادثة",
    "launcher.unavailable": "المحادثة غير متاحة",
    "notice.crash.title": "حدث خطأ ما",
    "notice.crash.message": "واجهت المحادثة مشكلة غير متوقعة.",
    "notice.crash.action": "أعد تحميل الصفحة للمحاولة مرة أخرى.",
    "wait.under_minute": "وقت الانتظار المتوقع: أقل من دقيقة",
    "wait.minutes": "وقت الانتظار المتوقع: {minutes} دقيقة تقريبًا",
    "wait.minute": "وقت الانتظار المتوقع: دقيقة واحدة تقريبًا",
    "error.400.title": "تم رفض الطلب",
    "error.400.message": (
        "لم تتمكن خدمة المحادثة من فهم طلب صادر من هذه الصفحة."
    ),
    "error.400.action": (
        "يُرجى المحاولة مرة أخرى. إذا "
        "تكررت المشكلة، فأبلغ مالك الموقع."
    ),
    "error.401.title": "يلزم تسجيل الدخول",
    "error.401.message": "لم يعد تسجيل دخولك لهذه المحادثة صالحًا.",
    "error.401.action": "سجّل الدخول مرة أخرى للمتابعة.",
    "error.403.title": "غير مسموح",
    "error.403.message": "رفضت خدمة المحادثة هذا الطلب.",
    "error.403.action": (
        "لمالك الموقع: تحقق من تفعيل هذه الميزة في إعدادات Messenger."
    ),
    "error.404.title": "غير موجود",
    "error.404.message": (
        "لم تتمكن خدمة المحادثة من العثور على ما طلبته هذه الصفحة."
    ),
    "error.404.action": "يُرجى المحاولة مرة أخرى.",
    "error.408.title": "انتهت المهلة",
    "error.408.message": "استغرقت خدمة المحادثة وقتًا طويلًا للرد.",
    "error.408.action": "جارٍ إعادة الاتصال…",
    "error.409.title": "انتهت المحادثة",
    "error.409.message": "انتهت هذه المحادثة ولم يعد بإمكانها استقبال رسائل.",
    "error.409.action": "ابدأ محادثة جديدة لمواصلة الحديث.",
    "error.429.title": "تمهّل قليلًا",
    "error.429.message": "يتم إرسال الرسائل بسرعة كبيرة.",
    "error.429.action": "سيتم إرسال رسالتك بعد لحظات.",
    "error.4000.title": "الميزة غير متاحة",
    "error.4000.message": "هذه الميزة غير متاحة لهذه المحادثة.",
    "error.4000.action": "لمالك الموقع: فعّل الميزة في إعدادات Messenger.",
    "error.4001.title": "نوع الملف غير مسموح به",
    "error.4001.message": "لا يمكن إرسال هذا النوع من الملفات هنا.",
    "error.4001.action": "اختر ملفًا من نوع مسموح به.",
    "error.4002.title": "الملف كبير جدًا",
    "error.4002.message": "حجم هذا الملف أكبر مما تقبله هذه المحادثة.",
    "error.4002.action": "اختر ملفًا أصغر.",
    "error.4003.title": "لم يتم قبول الملف",
    "error.4003.message": "لم يتم قبول محتوى الملف.",
    "error.4003.action": "اختر ملفًا آخر.",
    "error.4004.title": "لم يتم قبول اسم الملف",
    "error.4004.message": "يحتوي اسم الملف على أحرف غير مسموح بها.",
    "error.4004.action": "غيّر اسم الملف وحاول مرة أخرى.",
    "error.4005.title": "اسم الملف طويل جدًا",
    "error.4005.message": "اسم الملف طويل جدًا.",
    "error.4005.action": "غيّر اسم الملف إلى اسم أقصر وحاول مرة أخرى.",
    "error.4006.title": "انتهت صلاحية المحادثة",
    "error.4006.message": (
        "انتهت صلاحية جلسة المحادثة هذه بعد فترة من عدم النشاط."
    ),
    "error.4006.action": "ابدأ محادثة جديدة لمواصلة الحديث.",
    "error.4007.title": "المحادثة غير موجودة",
    "error.4007.message": "جلسة المحادثة هذه لم تعد موجودة.",
    "error.4007.action": "ابدأ محادثة جديدة لمواصلة الحديث.",
    "error.4008.title": "انتهت صلاحية الرابط",
    "error.4008.message": "انتهت صلاحية رابط تنزيل هذا الملف.",
    "error.4008.action": "سيتم جلب رابط جديد؛ حاول مرة أخرى.",
    "error.4009.title": "الملف غير موجود",
    "error.4009.message": "تعذّر العثور على هذا الملف.",
    "error.4009.action": "أرفق الملف مرة أخرى.",
    "error.4010.title": "الرفع غير مكتمل",
    "error.4010.message": "لم يتم رفع الملف بنجاح.",
    "error.4010.action": "أرفق الملف مرة أخرى.",
    "error.4011.title": "الرسالة طويلة جدًا",
    "error.4011.message": "هذه الرسالة أطول مما تقبله المحادثة.",
    "error.4011.action": "اختصر الرسالة، أو أرسلها على أجزاء.",
    "error.4013.title": "بيانات إضافية كثيرة جدًا",
    "error.4013.message": (
        "المعلومات الإضافية المرسلة مع "
        "هذه المحادثة أكبر من المسموح به."
    ),
    "error.4013.action": (
        "لمالك الموقع: أرسل عددًا أقل من "
        "السمات المخصصة أو اجعلها أقصر."
    ),
    "error.4017.title": "محادثة بتسجيل دخول",
    "error.4017.message": (
        "هذه المحادثة تابعة لجلسة مسجّلة "
        "الدخول ولا يمكن متابعتها كزائر."
    ),
    "error.4017.action": "سجّل الدخول مرة أخرى، أو ابدأ محادثة جديدة.",
    "error.4020.title": "معلومات ناقصة",
    "error.4020.message": "كان طلب صادر من هذه الصفحة ينقصه بعض المعلومات.",
    "error.4020.action": (
        "يُرجى المحاولة مرة أخرى. إذا "
        "تكررت المشكلة، فأبلغ مالك الموقع."
    ),
    "error.4029.title": "تمهّل قليلًا",
    "error.4029.message": "يتم إرسال الرسائل بسرعة كبيرة.",
    "error.4029.action": "سيتم إرسال رسالتك بعد لحظات.",
    "error.5000.title": "مشكلة في الخدمة",
    "error.5000.message": "واجهت خدمة المحادثة مشكلة غير متوقعة.",
    "error.5000.action": "جارٍ إعادة الاتصال…",
    "error.handshake_origin.title": "المحادثة غير متاحة على هذا الموقع",
    "error.handshake_origin.message": (
        "رفضت خدمة المحادثة الاتصال من عنوان الويب هذا."
    ),
    "error.handshake_origin.action": (
        "لمالك الموقع: أضف مضيف هذه الصفحة إلى النطاقات المسموح بها "
        "في نشر Messenger ضمن Genesys Cloud (Admin > Message > Messenger Deployments)، أو تحقق من "
        "صحة معرّف النشر والمنطقة في ملف config.json الخاص بالمحادثة."
    ),
    "error.deployment_not_found.title": "المحادثة غير مُعدّة",
    "error.deployment_not_found.message": (
        "لا تتعرف خدمة المحادثة على نشر هذه المحادثة."
    ),
    "error.deployment_not_found.action": (
        "لمالك الموقع: تحقق من deploymentId والمنطقة "
        "في ملف config.json الخاص بالمحادثة."
    ),
    "error.deployment_inactive.title": "المحادثة متوقفة",
    "error.deployment_inactive.message": "نشر Messenger الخاص بهذه المحادثة غير نشط.",
    "error.deployment_inactive.action": "لمالك الموقع: فعّل النشر في Genesys Cloud.",
    "error.unreachable.title": "تعذّر الوصول إلى خدمة المحادثة",
    "error.unreachable.message": "تعذّر الوصول إلى خدمة المحادثة.",
    "error.unreachable.action": (
        "تحقق من اتصالك بالإنترنت. جارٍ إعادة المحاولة…"
    ),
    "error.offline.title": "أنت غير متصل بالإنترنت",
    "error.offline.message": "جهازك غير متصل بالإنترنت.",
    "error.offline.action": "سيتم إرسال الرسائل التي تكتبها عند عودة الاتصال.",
    "error.config_missing.title": "المحادثة غير مُعدّة",
    "error.config_missing.message": "تعذّر تحميل ملف إعدادات المحادثة.",
    "error.config_missing.action": (
        "لمالك الموقع: ضع ملف config.json بجوار index.html (راجع README)."
    ),
    "error.config_invalid.title": "المحادثة غير مُعدّة",
    "error.config_invalid.message": "ملف إعدادات المحادثة غير صالح.",
    "error.config_invalid.action": "لمالك الموقع: صحّح config.json (يسرد README حقوله).",
    "error.config_foreign.title": "المحادثة غير مُعدّة",
    "error.config_foreign.message": "يجب أن تأتي إعدادات المحادثة من هذا الموقع.",
    "error.config_foreign.action": (
        "لمالك الموقع: لا يمكن أن يشير ?config= "
        "إلا إلى ملف على موقع هذه الصفحة نفسه."
    ),
    "error.connection_closed.title": "المحادثة مفتوحة في مكان آخر",
    "error.connection_closed.message": (
        "أُغلقت هذه المحادثة لأنها فُتحت "
        "في نافذة أخرى أو على جهاز آخر."
    ),
    "error.connection_closed.action": "أعد تحميل الصفحة للمتابعة هنا.",
    "error.session_cleared.title": "تم مسح المحادثة",
    "error.session_cleared.message": "تم مسح هذه المحادثة.",
    "error.session_cleared.action": "ابدأ محادثة جديدة متى شئت.",
    "error.logged_out.title": "تم تسجيل الخروج",
    "error.logged_out.message": "لقد سجّلت الخروج من هذه المحادثة.",
    "error.logged_out.action": "سجّل الدخول مرة أخرى للمتابعة.",
    "error.403_auth.title": "يلزم تسجيل الدخول",
    "error.403_auth.message": "لم يتم قبول تسجيل دخولك لهذه المحادثة.",
    "error.403_auth.action": "سجّل الدخول مرة أخرى للمتابعة.",
    "error.403_clear.title": "مسح المحادثة معطّل",
    "error.403_clear.message": "لا تسمح هذه المحادثة بمسح محتواها.",
    "error.403_clear.action": "لمالك الموقع: فعّل Conversation Clear في إعدادات Messenger.",
    "error.request_failed.title": "تعذّر تنفيذ الطلب",
    "error.request_failed.message": "أبلغت خدمة المحادثة عن مشكلة.",
    "error.request_failed.action": "يُرجى المحاولة مرة أخرى.",
    "error.service_problem.title": "مشكلة في الخدمة",
    "error.service_problem.message": "أبلغت خدمة المحادثة عن مشكلة.",
    "error.service_problem.action": "جارٍ إعادة الاتصال…",
    "error.close_1001.title": "جارٍ إعادة الاتصال",
    "error.close_1001.message": "تتم إعادة تشغيل خدمة المحادثة.",
    "error.close_1001.action": (
        "سيتم إرسال الرسائل التي تكتبها فور إعادة الاتصال."
    ),
    "error.close_1006.title": "جارٍ إعادة الاتصال",
    "error.close_1006.message": "انقطع الاتصال بخدمة المحادثة.",
    "error.close_1006.action": (
        "سيتم إرسال الرسائل التي تكتبها فور إعادة الاتصال."
    ),
    "error.close_1011.title": "جارٍ إعادة الاتصال",
    "error.close_1011.message": "واجهت خدمة المحادثة مشكلة في هذا الاتصال.",
    "error.close_1011.action": (
        "سيتم إرسال الرسائل التي تكتبها فور إعادة الاتصال."
    ),
    "error.close_1012.title": "جارٍ إعادة الاتصال",
    "error.close_1012.message": "تتم إعادة تشغيل خدمة المحادثة.",
    "error.close_1012.action": (
        "سيتم إرسال الرسائل التي تكتبها فور إعادة الاتصال."
    ),
    "error.close_1013.title": "جارٍ إعادة الاتصال",
    "error.close_1013.message": "خدمة المحادثة مشغولة حاليًا.",
    "error.close_1013.action": (
        "سيتم إرسال الرسائل التي تكتبها فور إعادة الاتصال."
    ),
    "error.close_other.title": "جارٍ إعادة الاتصال",
    "error.close_other.message": "أُغلق الاتصال بخدمة المحادثة.",
    "error.close_other.action": (
        "سيتم إرسال الرسائل التي تكتبها فور إعادة الاتصال."
    ),
}
