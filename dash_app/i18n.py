"""Every piece of UI text, by language. Another language is one more dictionary.

``t("key", **values)`` formats the text of the configured language
(``DASHBOARD_LANG``, default ``fr``) and falls back to French, then to the key.
``value_label(raw)`` translates the raw category values of the data (Kaggle's
English levels) when a translation exists.
"""

from __future__ import annotations

import os

FR: dict[str, str] = {
    # shell
    "app.title": "Scoring crédit – espace conseiller",
    "app.brand": "Scoring crédit",
    "nav.clients": "Clients",
    "nav.model": "Modèle",
    "nav.monitoring": "Surveillance",
    "nav.logout": "Se déconnecter",
    "nav.user": "Connecté : {user}",
    "nav.main": "Navigation principale",
    "skip": "Aller au contenu principal",
    "banner.synthetic": "Données synthétiques : les clients affichés sont fictifs, générés pour la démonstration. "
                        "Aucune décision réelle ne doit être prise sur cette base.",
    "banner.service_down": "Le service de scoring ne répond pas : les pages s'afficheront sans données "
                           "jusqu'à son retour.",
    "footer.model": "Modèle {version} · seuil de décision : probabilité {threshold}",
    "notfound.title": "Page introuvable",
    "notfound.body": "Cette adresse ne correspond à aucune page.",
    "back.clients": "Retour à la liste des clients",
    # errors
    "error.unavailable": "Le service de scoring est indisponible ou trop lent pour le moment. "
                         "Réessayez dans quelques instants ; le reste de la page reste utilisable.",
    "error.timeout": "Le service de scoring n'a pas répondu à temps. Réessayez dans quelques instants.",
    "error.not_found": "Client introuvable : aucun client ne porte cet identifiant.",
    "error.rejected": "Le service a refusé la demande : {detail}",
    "error.auth": "Le tableau de bord n'est pas autorisé auprès du service (clé d'API refusée). "
                  "Prévenez l'administrateur.",
    "error.generic": "Une erreur inattendue est survenue ; l'incident a été enregistré.",
    "error.bad_id": "Identifiant de client invalide : « {value} ».",
    # login
    "login.title": "Connexion",
    "login.intro": "Espace réservé aux conseillers. Connectez-vous pour continuer.",
    "login.user": "Identifiant",
    "login.password": "Mot de passe",
    "login.submit": "Se connecter",
    "login.failed": "Identifiant ou mot de passe incorrect.",
    "login.csrf": "Le formulaire a expiré. Veuillez réessayer.",
    "login.throttled": "Trop de tentatives. Réessayez dans quelques minutes.",
    "login.logged_out": "Vous êtes déconnecté.",
    # decisions
    "decision.approve": "Accordé",
    "decision.review": "À la discrétion du conseiller",
    "decision.decline": "Refusé",
    "decision.unknown": "Inconnue",
    "outcome.0": "A remboursé",
    "outcome.1": "A fait défaut",
    "outcome.none": "Inconnu",
    # clients page
    "clients.title": "Clients",
    "clients.filters": "Filtres",
    "clients.q": "Recherche (identifiant client)",
    "clients.age_min": "Âge minimum",
    "clients.age_max": "Âge maximum",
    "clients.income_min": "Revenu annuel minimum (€)",
    "clients.income_max": "Revenu annuel maximum (€)",
    "clients.score_min": "Score minimum (0–100)",
    "clients.score_max": "Score maximum (0–100)",
    "clients.contract_type": "Type de contrat",
    "clients.gender": "Genre",
    "clients.decision": "Décision du modèle",
    "clients.all": "Tous",
    "clients.reset": "Réinitialiser les filtres",
    "clients.prev": "Page précédente",
    "clients.next": "Page suivante",
    "clients.pages": "Pages de résultats",
    "clients.q_invalid": "La recherche porte sur l'identifiant : saisissez uniquement des chiffres.",
    "clients.count": "{n} client(s) trouvé(s) – page {page} sur {pages}.",
    "clients.none": "Aucun client ne correspond à ces filtres.",
    "clients.table": "Liste des clients (cliquez sur un identifiant pour ouvrir la fiche)",
    "col.id": "Client",
    "col.age": "Âge",
    "col.income": "Revenu (€)",
    "col.credit": "Crédit (€)",
    "col.annuity": "Annuité (€)",
    "col.contract_type": "Contrat",
    "col.gender": "Genre",
    "col.score": "Score",
    "col.decision": "Décision",
    "col.distance": "Distance",
    "col.outcome": "Issue connue",
    "col.feature": "Variable",
    "col.value": "Valeur",
    # client page
    "client.title": "Client {id}",
    "client.score": "Score de risque",
    "client.gauge_alt": "Score {score} sur 100 (seuil 50) : {decision}.",
    "band.approve": "accordé",
    "band.review": "à la discrétion du conseiller",
    "band.decline": "refusé",
    "client.probability": "Probabilité de défaut estimée (calibrée) : {p}.",
    "client.threshold": "Seuil de décision : probabilité {p} (score 50).",
    "client.reasons": "Principales raisons",
    "client.reasons_intro": "Les éléments qui ont le plus pesé sur le score, du plus au moins important :",
    "client.contrib_title": "Contribution de chaque variable au score",
    "client.contrib_alt": "Graphique en cascade : {n} variables ; la plus influente est « {label} » ({direction}).",
    "client.raises": "augmente le risque",
    "client.lowers": "diminue le risque",
    "client.others": "Autres variables",
    "client.base": "Risque moyen",
    "client.final": "Ce client",
    "client.info": "Informations du client",
    "client.known_outcome": "Issue connue du crédit : {outcome}.",
    "client.compare": "Comparaison avec les autres clients",
    "client.compare_feature": "Variable à comparer",
    "client.compare_alt": "Répartition de « {label} » chez les clients qui ont remboursé et chez ceux qui ont fait "
                          "défaut ; ce client : {value}.",
    "client.compare_missing": "La valeur de ce client pour cette variable n'est pas renseignée.",
    "client.similar": "Clients similaires",
    "client.axis_share": "% du groupe",
    "client.similar_rate": "Parmi les {k} clients les plus proches, {rate} ont fait défaut.",
    "client.whatif": "Simulation : et si… ?",
    "client.whatif_intro": "Modifiez les montants puis relancez le calcul du score.",
    "client.whatif_run": "Recalculer le score",
    "client.whatif_result": "Score simulé : {score} sur 100 – {decision} (dossier actuel recalculé de la même "
                            "façon : {current}, écart {delta}).",
    "client.whatif_note": "La simulation recalcule le score à partir de la demande seule, sans l'historique de "
                          "crédit du client : le score du dossier recalculé diffère du score affiché ({stored}). "
                          "Seul l'écart dû aux modifications est à lire.",
    "client.whatif_invalid": "Saisissez des montants positifs pour chaque champ.",
    "client.whatif_noraw": "Les données brutes du dossier ne sont pas disponibles : la simulation n'est pas possible.",
    "client.counterfactual": "Ce qui changerait la décision",
    "client.cf_none": "Aucune modification simple de la demande ne ferait accepter le dossier.",
    "client.cf_already": "La demande est déjà acceptée par le modèle.",
    "client.cf_change": "{label} à {new} au lieu de {old}",
    "client.cf_sentence": "Avec {changes}, la demande serait acceptée (score {score}).",
    "client.decision_title": "Décision du conseiller",
    "client.decision_choice": "Décision finale",
    "client.decision_approve": "Accorder le crédit",
    "client.decision_decline": "Refuser le crédit",
    "client.decision_reason": "Motif de la décision (obligatoire)",
    "client.decision_reason_help": "Expliquez en une ou deux phrases ce qui justifie la décision (10 caractères minimum).",
    "client.decision_save": "Enregistrer la décision",
    "client.decision_need_choice": "Choisissez une décision : accorder ou refuser.",
    "client.decision_need_reason": "Indiquez le motif de la décision (au moins 10 caractères).",
    "client.decision_saved": "Décision enregistrée : {decision}.",
    "client.history": "Historique des décisions",
    "client.history_none": "Aucune décision n'a encore été enregistrée pour ce client.",
    "client.history_item": "{date} – {advisor} : {decision} (modèle : {model_decision}, score {score}). Motif : {reason}",
    "client.share_link": "Version imprimable pour le client",
    "client.loading": "Chargement…",
    # share page
    "share.title": "Votre demande de crédit",
    "share.decision": "Décision",
    "share.pending": "Votre demande est en cours d'examen par votre conseiller.",
    "share.reasons": "Les principaux éléments pris en compte",
    "share.improve": "Ce qui pourrait améliorer votre dossier",
    "share.improve_generic": "Votre conseiller peut étudier avec vous un montant ou une durée de crédit "
                             "mieux adaptés à vos revenus.",
    "share.info": "Vos informations",
    "share.print": "Imprimer",
    "share.note": "Ce document résume la réponse à votre demande. Vous pouvez demander à votre conseiller "
                  "des explications complémentaires ou un réexamen par une personne.",
    # model page
    "model.title": "Le modèle",
    "model.card_link": "Lire la fiche du modèle (model card)",
    "model.version": "Version {version}, entraînée le {created}.",
    "model.importance": "Importance globale des variables",
    "model.importance_alt": "Diagramme en barres des {n} variables les plus importantes ; la première est « {label} ».",
    "model.roc": "Courbe ROC",
    "model.roc_alt": "Courbe ROC : aire sous la courbe {auc}.",
    "model.calibration": "Calibration",
    "model.calibration_alt": "Probabilité prédite contre fréquence observée de défaut ; score de Brier {brier}.",
    "model.metrics": "Indicateurs de performance",
    "model.cost": "Coût selon le seuil de décision",
    "model.cost_fn": "Coût d'un défaut non détecté (crédit accordé à tort)",
    "model.cost_fp": "Coût d'un bon client refusé",
    "model.cost_best": "Avec ces coûts, le seuil qui minimise le coût est une probabilité de {t} "
                       "(coût moyen {cost} par client). Seuil actuel du modèle : {current}.",
    "model.cost_fixed": "Le service ne fournit que la courbe des coûts par défaut ({fn} / {fp}) : "
                        "elle ne peut pas être recalculée pour d'autres coûts.",
    "model.cost_alt": "Courbe du coût moyen par client selon le seuil ; minimum à {t}.",
    "model.cost_invalid": "Saisissez des coûts positifs.",
    "model.fairness": "Équité entre groupes",
    "model.fairness_none": "Le service ne fournit pas d'analyse d'équité.",
    "model.fairness_gaps": "Écarts entre groupes (intervalle de confiance à 95 %)",
    "model.gap.demographic_parity_difference": "Écart de taux d'acceptation",
    "model.gap.equal_opportunity_difference": "Écart d'acceptation des bons payeurs",
    "model.gap.tpr_difference": "Écart de détection des défauts",
    "model.group": "Groupe",
    "model.gap": "Écart",
    "model.ci": "IC 95 %",
    "model.fairness_alt": "Diagramme de « {metric} » par groupe.",
    "model.axis_threshold": "Seuil (probabilité de défaut)",
    "model.axis_cost": "Coût moyen par client",
    "model.axis_fpr": "Taux de faux positifs",
    "model.axis_tpr": "Taux de vrais positifs",
    "model.axis_predicted": "Probabilité prédite",
    "model.axis_observed": "Fréquence observée",
    "model.axis_importance": "Importance",
    "model.random": "Hasard",
    "model.perfect": "Calibration parfaite",
    "card.title": "Fiche du modèle",
    "card.back": "Retour à la page du modèle",
    # monitoring
    "monitoring.title": "Surveillance en production",
    "monitoring.no_report": "Aucun rapport de dérive n'est disponible pour l'instant.",
    "monitoring.drift": "Dérive des données",
    "monitoring.drift_detected": "Dérive détectée : {n} variable(s) sur {total} ont changé de distribution.",
    "monitoring.drift_none": "Pas de dérive significative : {n} variable(s) sur {total} ont changé de distribution.",
    "monitoring.generated": "Rapport généré le {date}.",
    "monitoring.verdict": "Verdict : {status}.",
    "monitoring.psi": "Stabilité de la distribution des scores (PSI) : {value} – {status}.",
    "monitoring.status.stable": "stable",
    "monitoring.status.watch": "à surveiller",
    "monitoring.status.act": "action nécessaire",
    "monitoring.report_link": "Ouvrir le dernier rapport de dérive détaillé",
    "monitoring.features": "Variables surveillées",
    "monitoring.drifted": "Dérive",
    "monitoring.score": "Statistique",
    "monitoring.yes": "Oui",
    "monitoring.no": "Non",
    "monitoring.scores": "Scores des demandes en production",
    "monitoring.scores_none": "Aucune demande de production n'a encore été enregistrée.",
    "monitoring.scores_alt": "Nombre de demandes par jour et par décision, sur {n} jour(s).",
    "monitoring.axis_day": "Jour",
    "monitoring.axis_count": "Demandes",
    "monitoring.axis_mean": "Score moyen",
    # info fields
    "field.age": "Âge",
    "field.gender": "Genre",
    "field.family_status": "Situation familiale",
    "field.children": "Enfants",
    "field.income": "Revenu annuel",
    "field.income_type": "Type de revenu",
    "field.education": "Études",
    "field.occupation": "Profession",
    "field.employment_years": "Ancienneté dans l'emploi (années)",
    "field.contract_type": "Type de contrat",
    "field.credit": "Montant du crédit",
    "field.annuity": "Annuité",
    "field.goods_price": "Prix du bien financé",
    "field.housing": "Logement",
    "field.own_car": "Possède une voiture",
    "field.own_realty": "Possède un bien immobilier",
    "field.family_members": "Personnes au foyer",
    "field.organization": "Secteur de l'employeur",
    "field.car_age": "Âge de la voiture (années)",
    "field.region_rating": "Note de la région (1 à 3)",
    "field.ext_source_1": "Score externe 1",
    "field.ext_source_2": "Score externe 2",
    "field.ext_source_3": "Score externe 3",
    "field.employed": "En emploi",
    "field.annuity_income_ratio": "Part du revenu consacrée à l'annuité",
    "unit.years": "{n} ans",
}

#: Raw data values (Kaggle levels) -> French.
FR_VALUES: dict[str, str] = {
    "Cash loans": "Prêt personnel",
    "Revolving loans": "Crédit renouvelable",
    "F": "Femme",
    "M": "Homme",
    "XNA": "Non renseigné",
    "Y": "Oui",
    "N": "Non",
    "True": "Oui",
    "False": "Non",
    "Married": "Marié(e)",
    "Single / not married": "Célibataire",
    "Civil marriage": "Union civile",
    "Separated": "Séparé(e)",
    "Widow": "Veuf/veuve",
    "Working": "Salarié(e)",
    "Commercial associate": "Associé(e) commercial(e)",
    "Pensioner": "Retraité(e)",
    "State servant": "Fonctionnaire",
    "Unemployed": "Sans emploi",
    "Student": "Étudiant(e)",
    "Businessman": "Chef d'entreprise",
    "Maternity leave": "Congé maternité",
    "Secondary / secondary special": "Secondaire",
    "Higher education": "Supérieur",
    "Incomplete higher": "Supérieur non terminé",
    "Lower secondary": "Premier cycle du secondaire",
    "Academic degree": "Diplôme universitaire",
    "House / apartment": "Maison / appartement",
    "With parents": "Chez les parents",
    "Municipal apartment": "Logement municipal",
    "Rented apartment": "Location",
    "Office apartment": "Logement de fonction",
    "Co-op apartment": "Coopérative",
    "unknown": "Inconnu",
    "NA": "Non renseigné",
    "Yes": "Oui",
    "No": "Non",
    "CODE_GENDER": "Genre",
    "AGE_BAND": "Tranche d'âge",
    "NAME_FAMILY_STATUS": "Situation familiale",
    "NAME_INCOME_TYPE": "Type de revenu",
    "<30": "moins de 30 ans",
    "30-40": "30–40 ans",
    "40-50": "40–50 ans",
    "50-60": "50–60 ans",
    "60+": "60 ans et plus",
}

LANGUAGES: dict[str, dict[str, str]] = {"fr": FR}
VALUES: dict[str, dict[str, str]] = {"fr": FR_VALUES}


def current_lang() -> str:
    lang = os.environ.get("DASHBOARD_LANG", "fr")
    return lang if lang in LANGUAGES else "fr"


def t(key: str, **values) -> str:
    lang = current_lang()
    text = LANGUAGES[lang].get(key) or FR.get(key) or key
    return text.format(**values) if values else text


def band_legend(bands: list[dict]) -> str:
    """"0–45 : accordé · 45–55 : à la discrétion du conseiller · 55–100 : refusé." from the service's bands."""
    if not bands:
        return ""
    parts = [f"{b['low']:g}–{b['high']:g} : {t('band.' + b['decision'])}" for b in bands]
    return " · ".join(parts) + "."


def value_label(raw) -> str:
    if raw is None:
        return "–"
    text = str(raw)
    return VALUES[current_lang()].get(text, FR_VALUES.get(text, text))
