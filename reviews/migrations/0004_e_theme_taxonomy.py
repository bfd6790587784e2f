"""The first taxonomy of themes in English, French and German; administrators edit it later.

Keywords are matched after stemming, so one form usually catches its plural and
inflections ("delivery" catches "deliveries"); a past participle whose stem
differs ("delivered" → "deliv", "geliefert") is listed too. German keywords of
five letters or more also match inside compounds ("Liefer" in "Expresslieferung").
"""

from django.db import migrations

TAXONOMY = {
    "delivery_time": {
        "en": (
            "Delivery time",
            "delivery\ndeliver\narrived\narrival\nshipping\nshipped\ndispatch\nlate\ndelay\n"
            "on time\nfast\nquick\nslow\nwaiting\ncourier\ntracking",
        ),
        "fr": (
            "Délai de livraison",
            "livraison\nlivrer\nlivré\nexpédition\nexpédié\narrivé\nreçu\nretard\nrapide\n"
            "lent\nattente\ntransporteur\nsuivi du colis\ndélai de livraison",
        ),
        "de": (
            "Lieferzeit",
            "Lieferung\nliefern\ngeliefert\nLieferzeit\nVersand\nversendet\nverschickt\n"
            "zugestellt\nZustellung\nangekommen\nVerspätung\nverspätet\nschnell\nlangsam\n"
            "pünktlich\nWartezeit",
        ),
    },
    "packaging": {
        "en": (
            "Packaging",
            "packaging\npackage\npacked\nparcel\nbox\nwrapped\nwrapping\ndamaged in transit\n"
            "bubble wrap",
        ),
        "fr": (
            "Emballage",
            "emballage\nemballé\ncolis\ncarton\npaquet\nabîmé\npapier bulle",
        ),
        "de": (
            "Verpackung",
            "Verpackung\nverpackt\neingepackt\nPaket\nKarton\nPäckchen\nbeschädigt\n"
            "Luftpolsterfolie",
        ),
    },
    "customer_service": {
        "en": (
            "Customer service",
            "customer service\ncustomer support\nsupport\nhelpful\nfriendly\nrude\nstaff\n"
            "answered\nanswer\nreply\nresponse\ncontacted\nhotline\nemail",
        ),
        "fr": (
            "Service client",
            "service client\nservice après-vente\nSAV\nconseiller\naimable\nsympathique\n"
            "serviable\nréponse\nrépondu\nreste sans réponse\njoignable\ncontacté",
        ),
        "de": (
            "Kundenservice",
            "Kundenservice\nKundendienst\nKundenbetreuung\nService\nfreundlich\nunfreundlich\n"
            "hilfsbereit\nAntwort\nbeantwortet\ngeantwortet\nerreichbar\nHotline\nkontaktiert",
        ),
    },
    "returns_refunds": {
        "en": (
            "Returns and refunds",
            "return\nreturned\nrefund\nrefunded\nmoney back\nexchange\nexchanged\nreimbursed\n"
            "cancellation\ncancelled\nwithdrawal",
        ),
        "fr": (
            "Retours et remboursements",
            "retour\nretourné\nremboursement\nremboursé\nrembourser\néchange\néchangé\n"
            "annulation\nannulé\nrétractation",
        ),
        "de": (
            "Rücksendung und Erstattung",
            "Rücksendung\nRückgabe\nzurückgeschickt\nzurückgesendet\nRetoure\nErstattung\n"
            "Rückerstattung\nerstattet\nzurückerstattet\nGeld zurück\nUmtausch\numgetauscht\n"
            "Storno\nstorniert\nWiderruf",
        ),
    },
    "price": {
        "en": (
            "Price",
            "price\npriced\ncheap\nexpensive\noverpriced\nvalue for money\ncost\nbargain\n"
            "discount\naffordable\nshipping costs",
        ),
        "fr": (
            "Prix",
            "prix\ncher\nchère\nbon marché\ncoût\ncoûteux\nrapport qualité prix\npromotion\n"
            "réduction\nabordable\nfrais de port",
        ),
        "de": (
            "Preis",
            "Preis\npreiswert\ngünstig\nbillig\nteuer\nüberteuert\nPreis-Leistung\nKosten\n"
            "Rabatt\nSonderangebot\nVersandkosten",
        ),
    },
    "product_quality": {
        "en": (
            "Product quality",
            "quality\nbroken\nbroke\ndefective\nfaulty\nsturdy\nwell made\ndurable\n"
            "as described\nworks\nworking\nstopped working\nmaterial",
        ),
        "fr": (
            "Qualité du produit",
            "qualité\ncassé\ndéfectueux\nsolide\nbien fait\nconforme\nconforme à la description\n"
            "fonctionne\nmatériau\nfragile\nabîmé",
        ),
        "de": (
            "Produktqualität",
            "Qualität\nqualitativ\nkaputt\ndefekt\nmangelhaft\nstabil\nhochwertig\nverarbeitet\n"
            "Verarbeitung\nfunktioniert\nMaterial\nwie beschrieben",
        ),
    },
    "website_checkout": {
        "en": (
            "Website and checkout",
            "website\nsite\nonline shop\ncheckout\npayment\npaid\npay\nordering\nordered\n"
            "easy to order\ncart\nbasket\nsearch\napp",
        ),
        "fr": (
            "Site et commande",
            "site\nsite internet\nboutique en ligne\npaiement\npayé\npayer\ncommande\ncommandé\n"
            "commander\npanier\nnavigation\napplication",
        ),
        "de": (
            "Website und Bestellung",
            "Website\nWebseite\nOnlineshop\nBestellung\nbestellt\nBestellvorgang\nbezahlt\n"
            "Bezahlung\nZahlung\nWarenkorb\nKasse\nSuche\nApp",
        ),
    },
}


def seed(apps, schema_editor):
    Theme = apps.get_model("reviews", "Theme")
    for code, languages in TAXONOMY.items():
        for language, (name, keywords) in languages.items():
            Theme.objects.update_or_create(
                code=code, language=language, defaults={"name": name, "keywords": keywords}
            )


def unseed(apps, schema_editor):
    Theme = apps.get_model("reviews", "Theme")
    Theme.objects.filter(code__in=list(TAXONOMY)).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_c_negative_report_warned_at")]

    operations = [migrations.RunPython(seed, unseed)]
