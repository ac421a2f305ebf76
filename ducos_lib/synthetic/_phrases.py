"""Synthetic sample: phrase banks of the free texts (immersion forms, survey and seminar comments)."""

from __future__ import annotations

import re

import numpy as np

# --------------------------------------------------------------------------------------------------
# Phrase banks for the immersion forms. "[a|b|c]" picks one alternative.
# --------------------------------------------------------------------------------------------------

_PF = {
    "accueil_usagers": [
        "[L'accueil des usagers est remarquable|L'accueil des usagers est exemplaire|La qualité de l'accueil "
        "des usagers est très soignée|L'accueil du public est chaleureux].",
        "Les agents [prennent|savent prendre] le temps de renseigner [le public|les administrés|les usagers] avec "
        "[patience|bienveillance|le sourire].",
        "[Très bonne|Excellente] [relation|écoute] avec les usagers au guichet, même aux heures d'affluence.",
        "[J'ai apprécié|J'ai été frappé par|On note] la [disponibilité|courtoisie] des agents envers le public.",
        "Les usagers sont [bien orientés|orientés rapidement] dès leur arrivée à l'accueil.",
        "Un vrai souci du service rendu [aux habitants|à la population|aux usagers].",
        "[L'accueil téléphonique|Le standard] est efficace et [aimable|courtois].",
        "Les administrés [repartent|ressortent] avec une réponse claire à leur demande.",
    ],
    "organisation_travail": [
        "[L'organisation du travail|L'organisation du service] est [claire|bien pensée|efficace].",
        "[Chaque agent connaît|Tout le monde connaît] [son rôle|ses missions] et la répartition des tâches est "
        "[claire|équilibrée].",
        "Les [procédures|process] sont [écrites|formalisées] et [respectées|suivies par tous].",
        "Un planning [partagé|affiché|hebdomadaire] permet d'anticiper les absences.",
        "Bonne [gestion des priorités|priorisation des dossiers] malgré la charge de travail.",
        "Les dossiers sont [suivis|traités] dans les délais [grâce à un tableau de suivi|sans retard].",
        "[Une organisation rigoureuse|Une vraie rigueur d'organisation] [des tournées|des interventions|"
        "des plannings].",
    ],
    "communication_interne": [
        "[L'information circule bien|La circulation de l'information est bonne] au sein du service.",
        "Des réunions [d'équipe|de service] [régulières|hebdomadaires] permettent de faire le point.",
        "[Les échanges|Les transmissions] entre collègues sont [fluides|constants|de qualité].",
        "Un [tableau d'affichage|cahier de liaison] tient tout le monde informé.",
        "Les consignes sont [expliquées|transmises] clairement à toute l'équipe.",
        "Le dialogue entre [les agents|l'équipe] et [le responsable|la direction] est [ouvert|franc].",
    ],
    "management_encadrement": [
        "[Le responsable|La cheffe de service|Le chef de service] est [présent|disponible] et à l'écoute de "
        "son équipe.",
        "[Un encadrement|Un management] [bienveillant|de proximité] qui fait confiance aux agents.",
        "Les agents disposent d'une [vraie|réelle] autonomie [dans leur travail|sur leurs dossiers].",
        "[Le responsable|L'encadrant] [sait reconnaître|valorise] le travail accompli.",
        "Les décisions sont [expliquées à|partagées avec] l'équipe.",
        "[Bonne|Très bonne] délégation de la part de la hiérarchie.",
        "[Le chef d'équipe|La responsable] [donne des objectifs clairs|fixe un cap clair] à chacun.",
    ],
    "cohesion_equipe": [
        "[Très bonne|Excellente] ambiance [dans l'équipe|au sein du service].",
        "[Une vraie|Une belle] solidarité entre collègues : [l'entraide est naturelle|chacun aide l'autre].",
        "[L'esprit d'équipe|La cohésion de l'équipe] est [remarquable|palpable|forte].",
        "Les nouveaux agents sont bien intégrés [par leurs collègues|dans l'équipe].",
        "[Bienveillance|Respect] et [bonne humeur|convivialité] entre collègues.",
        "[On sent|Il y a] une équipe soudée, [qui se serre les coudes|qui s'entraide] dans les moments difficiles.",
    ],
    "competences_formation": [
        "Les agents sont [compétents|très compétents] et maîtrisent [la réglementation|leurs dossiers].",
        "[Un vrai savoir-faire|Une expertise reconnue] [dans le domaine|sur le métier].",
        "Les agents [suivent régulièrement des formations|ont accès aux formations du CNFPT].",
        "[La transmission des savoirs|Le partage des connaissances] entre anciens et nouveaux fonctionne bien.",
        "[Bonne|Très bonne] maîtrise [des procédures|des textes] par l'ensemble de l'équipe.",
        "[Des agents expérimentés|Des professionnels aguerris] qui [forment|accompagnent] les plus jeunes.",
    ],
    "outils_moyens": [
        "[Le logiciel métier|Le nouveau logiciel] [facilite|simplifie] le [suivi|traitement] des dossiers.",
        "[Le matériel|L'équipement] est [récent|en bon état] et [bien entretenu|adapté].",
        "Les agents disposent [des moyens|des outils] nécessaires à leur mission.",
        "[Un parc de véhicules|Des véhicules de service] [en bon état|en nombre suffisant] pour les interventions.",
        "[Les outils informatiques|L'informatique] [fonctionnent bien|sont performants].",
        "[La dématérialisation|Le portail en ligne] [fait gagner du temps|simplifie les démarches].",
    ],
    "conditions_travail": [
        "[Les locaux|Les bureaux] sont [agréables|spacieux|rénovés] et [bien climatisés|lumineux].",
        "[Les équipements de protection|Les EPI] sont [fournis|disponibles] et portés par les agents.",
        "[Une attention|Une vigilance] réelle à la sécurité [des agents|au travail].",
        "[Bonnes|De bonnes] conditions de travail [dans l'ensemble|pour l'équipe].",
        "[L'aménagement des horaires permet|Les horaires aménagés permettent] de concilier vie professionnelle et "
        "vie personnelle.",
        "[Un local de pause agréable|Une salle de repos bien aménagée] pour les agents.",
    ],
    "transversalite": [
        "[Bonne|Très bonne] coopération avec les autres services [de la mairie|de la collectivité].",
        "Le service travaille [en lien étroit|main dans la main] avec [le CCAS|les services techniques|l'état civil].",
        "[Les échanges|Les relations] avec les autres directions sont [fluides|de qualité].",
        "[Une culture du travail en transversalité bien installée|Un réflexe de travail en transversalité bien ancré].",
        "L'immersion [m'a permis de|a permis de] mieux comprendre le fonctionnement [d'un autre service|de ce service] "
        "et ses contraintes.",
        "[Des projets communs bien menés|Des actions partagées bien menées] avec [les écoles|le CCAS|"
        "la police municipale].",
    ],
}

_AX = {
    "accueil_usagers": [
        "[Le temps d'attente au guichet reste trop long|L'attente au guichet reste trop longue] [le lundi matin|"
        "en début de mois|aux heures de pointe].",
        "Pas assez de [signalétique|panneaux] pour orienter les usagers dans le bâtiment.",
        "[L'accueil téléphonique|Le standard] n'est pas toujours assuré : [beaucoup d'appels restent sans réponse|"
        "les usagers ne parviennent pas à joindre le service].",
        "Les horaires d'ouverture ne sont pas adaptés [aux actifs|aux personnes qui travaillent].",
        "[Manque de confidentialité|Aucune confidentialité] au guichet pour les usagers en situation difficile.",
        "Certains administrés repartent sans réponse claire à leur demande.",
        "L'accueil du public [manque d'uniformité|n'est pas homogène] d'un agent à l'autre.",
    ],
    "organisation_travail": [
        "La répartition des tâches [n'est pas claire|reste floue] [entre les agents|au sein du service].",
        "[Aucune procédure écrite|Pas de procédure formalisée] pour [les congés|les remplacements|le traitement des "
        "dossiers].",
        "La charge de travail est mal répartie : certains agents sont [débordés|surchargés] pendant que d'autres "
        "attendent.",
        "Les priorités changent [sans cesse|souvent] et le planning n'est pas [tenu|respecté].",
        "Les absences ne sont pas anticipées, ce qui [désorganise|perturbe] le service.",
        "[Trop de|Beaucoup de] tâches sont faites dans l'urgence, sans planification.",
        "Pas de [polyvalence|binôme] sur les postes clés : quand un agent est absent, [tout s'arrête|les dossiers "
        "attendent].",
    ],
    "communication_interne": [
        "Pas assez de réunions [d'équipe|de service] pour partager les informations.",
        "[L'information|La communication] [circule mal|ne descend pas] jusqu'aux agents de terrain.",
        "Les agents apprennent [les décisions|les changements] [par hasard|en dernier|par le bouche-à-oreille].",
        "Aucun compte rendu n'est diffusé après les réunions.",
        "[Les notes de service|Les consignes] [arrivent tard|ne sont pas toujours transmises].",
        "[Manque de|Peu de] transmissions entre les équipes du matin et de l'après-midi.",
    ],
    "management_encadrement": [
        "Le [responsable|chef de service] est [peu présent|trop absent] sur le terrain.",
        "[Pas de|Aucun] retour de la hiérarchie sur le travail réalisé.",
        "Les décisions sont prises sans consulter [les agents|l'équipe].",
        "[Manque de reconnaissance|Peu de reconnaissance] de la part de l'encadrement.",
        "Les entretiens professionnels ne sont pas [réalisés|faits] [chaque année|régulièrement].",
        "Le management est [trop directif|très vertical] et laisse peu d'autonomie.",
        "[L'encadrement intermédiaire manque de légitimité|Les chefs d'équipe manquent de soutien de la direction].",
    ],
    "cohesion_equipe": [
        "[Des tensions|Quelques tensions] entre [collègues|agents] [pèsent sur|nuisent à] l'ambiance.",
        "[Peu d'entraide|Pas d'entraide] entre les [équipes|agents] du service.",
        "L'équipe [fonctionne en clans|est divisée en petits groupes].",
        "[Les nouveaux arrivants|Les nouveaux agents] ne sont pas [accompagnés|intégrés] par l'équipe.",
        "[Manque de cohésion|Cohésion fragile] depuis [les derniers départs|la réorganisation].",
        "[L'ambiance s'est dégradée|Le climat est tendu] [ces derniers mois|depuis l'été].",
    ],
    "competences_formation": [
        "[Peu de formation|Pas de formation] [sur les nouveaux logiciels|à la réglementation récente|depuis plusieurs "
        "années].",
        "Les compétences [reposent sur une seule personne|ne sont pas partagées].",
        "Les nouveaux agents [sont formés sur le tas|ne reçoivent aucune formation] à leur arrivée.",
        "[Les demandes de formation restent sans suite|Les besoins de formation ne sont pas recensés].",
        "[Manque de compétences|Des lacunes] sur [la réglementation|les outils numériques|les marchés publics].",
    ],
    "outils_moyens": [
        "Aucun outil partagé pour suivre [les demandes|les dossiers|les interventions].",
        "[Le travail se fait|Tout se fait] sans logiciel adapté, [sur papier|avec des tableaux Excel].",
        "[Le matériel|L'outillage] est [vétuste|insuffisant|souvent en panne].",
        "[Les ordinateurs|Les postes informatiques] sont [lents|anciens] et le réseau [coupe souvent|est instable].",
        "[Pas assez de véhicules|Manque de véhicules] pour [les interventions|les déplacements].",
        "[L'imprimante|Le photocopieur] est [en panne|hors service] [depuis des semaines|une semaine sur deux].",
    ],
    "conditions_travail": [
        "[Les bureaux|Les locaux] sont [exigus|vétustes|mal isolés] et [la climatisation ne fonctionne pas|il y fait "
        "très chaud].",
        "[Le bruit rend|Les nuisances sonores rendent] le travail [difficile|fatigant] [à l'accueil|dans "
        "l'open space].",
        "[La pénibilité physique|La pénibilité des tâches] n'est pas prise en compte [pour les agents de terrain|"
        "dans l'organisation].",
        "[Pas de|Aucun] local de pause pour les agents.",
        "[Des risques|Risques] pour la sécurité : [EPI manquants|vestiaires insalubres|sols glissants].",
        "[Les postes de travail|Les sièges] ne sont pas [ergonomiques|adaptés].",
    ],
    "transversalite": [
        "[Peu de liens|Pas de lien] avec les autres services : chacun travaille [dans son coin|en silo].",
        "Les demandes entre services [se perdent|restent sans réponse] faute d'interlocuteur identifié.",
        "[Méconnaissance|Mauvaise connaissance] du travail des autres services.",
        "[Manque de coordination|Pas de coordination] entre [les services techniques et les services administratifs|"
        "les directions].",
        "[Les projets communs|Les projets transversaux] [n'avancent pas|manquent de pilotage].",
    ],
}

_PR = {
    "accueil_usagers": [
        "[Mettre en place|Instaurer] un système de prise de rendez-vous pour [les usagers|le public].",
        "[Créer|Installer] un espace d'accueil plus confidentiel.",
        "[Élargir|Adapter] les horaires d'ouverture au public [une fois par semaine|le samedi matin].",
        "Rédiger une charte d'accueil des usagers commune à tous les agents.",
        "[Former|Sensibiliser] les agents à l'accueil des publics difficiles.",
        "Améliorer la signalétique pour mieux orienter les usagers.",
        "Mettre en place un [questionnaire de satisfaction|recueil des avis] des usagers.",
    ],
    "organisation_travail": [
        "[Formaliser|Écrire] les procédures [principales|du service] dans un guide partagé.",
        "[Mettre en place|Afficher] un planning [hebdomadaire|partagé] des tâches.",
        "Organiser la polyvalence [sur les postes clés|entre agents] pour assurer la continuité du service.",
        "[Clarifier|Revoir] la répartition des missions avec une fiche de poste à jour pour chacun.",
        "Instaurer un [tableau de suivi|outil de suivi] des dossiers et des délais.",
        "Prévoir [un temps|une matinée] de planification en début de semaine.",
    ],
    "communication_interne": [
        "Organiser une réunion d'équipe [chaque semaine|tous les quinze jours|chaque lundi].",
        "[Diffuser|Envoyer] un compte rendu [court|synthétique] après chaque réunion.",
        "Créer [un cahier de liaison|un tableau d'information|une lettre interne] pour les agents.",
        "Mettre en place un [point|brief] de quinze minutes en début de journée.",
        "[Améliorer|Renforcer] la communication entre la direction et les agents de terrain.",
    ],
    "management_encadrement": [
        "[Instaurer|Prévoir] des [points individuels|entretiens] réguliers entre le responsable et chaque agent.",
        "[Former|Accompagner] les encadrants [au management|à la conduite d'équipe].",
        "Associer les agents aux décisions qui concernent [le service|leur travail].",
        "[Valoriser|Reconnaître] davantage le travail des agents, par exemple en réunion.",
        "Déléguer davantage [aux chefs d'équipe|aux agents expérimentés].",
        "Demander [au responsable|à la hiérarchie] de passer plus de temps sur le terrain avec l'équipe.",
    ],
    "cohesion_equipe": [
        "Organiser [des moments conviviaux réguliers|un temps d'équipe une fois par trimestre].",
        "Mettre en place un parrainage des nouveaux agents par un collègue.",
        "[Prévoir|Organiser] une [journée de cohésion|sortie d'équipe] pour [ressouder|renforcer] l'équipe.",
        "[Faire intervenir|Solliciter] un médiateur pour apaiser les tensions.",
        "Encourager l'entraide entre collègues [en binôme|par des échanges de pratiques].",
    ],
    "competences_formation": [
        "[Établir|Construire] un plan de formation [du service|annuel] avec le CNFPT.",
        "[Organiser|Prévoir] des formations [internes|entre collègues] sur [les procédures|les logiciels métiers].",
        "Mettre en place un tutorat pour transmettre les savoir-faire des agents proches de la retraite.",
        "[Recenser|Identifier] les besoins de formation lors des entretiens annuels.",
        "[Former|Faire monter en compétences] les agents sur [les outils numériques|la réglementation].",
    ],
    "outils_moyens": [
        "[Acquérir|Déployer] un logiciel de [gestion des demandes|suivi des interventions].",
        "[Renouveler|Remplacer] [le matériel vétuste|les ordinateurs les plus anciens|l'outillage usé].",
        "Mettre en place un [dossier partagé|espace numérique commun] pour le service.",
        "[Prévoir|Inscrire] au budget [un véhicule supplémentaire|du matériel neuf].",
        "Dématérialiser [les demandes|les formulaires] pour gagner du temps.",
    ],
    "conditions_travail": [
        "[Réparer|Remettre en état] la climatisation [des bureaux|de l'accueil].",
        "[Aménager|Créer] [un local de pause|une salle de repos] pour les agents.",
        "[Réaliser|Mettre à jour] le document unique d'évaluation des risques avec les agents.",
        "[Fournir|Commander] des [équipements de protection|sièges ergonomiques] adaptés.",
        "[Réduire|Limiter] le bruit avec des [cloisons|panneaux acoustiques].",
    ],
    "transversalite": [
        "[Organiser|Généraliser] des immersions [entre services|croisées] chaque année.",
        "[Désigner|Identifier] un référent dans chaque service pour les demandes des autres services.",
        "[Créer|Mettre en place] des réunions inter-services [mensuelles|trimestrielles].",
        "[Mutualiser|Partager] [les moyens|le matériel|les véhicules] entre services.",
        "[Réaliser|Diffuser] un annuaire des services avec les missions de chacun.",
    ],
}

_PR_OPENERS = ("", "", "", "Il faudrait ", "Je propose de ", "Proposition : ", "Piste : ", "Pourquoi ne pas ")

_HORS_THEME = (
    "Le parking [de la mairie|du centre technique] est [souvent saturé|trop petit] le matin.",
    "[Il a beaucoup plu|La pluie a été forte] pendant [la journée|mon immersion], ce qui a [retardé|perturbé] la "
    "tournée.",
    "[Nous avons partagé|J'ai partagé] le repas de midi avec l'équipe, [un bon moment|très sympathique].",
    "[La préparation de la fête patronale mobilisait|Les préparatifs du carnaval occupaient] une partie de "
    "l'équipe.",
    "[Les embouteillages sur la RN5 m'ont fait arriver en retard|La circulation sur la RN5 rend les trajets longs].",
    "[Belle|Très belle] vue sur la baie depuis les bureaux.",
    "Le café [était excellent|offert à l'arrivée était apprécié].",
    "Le pot de départ d'un collègue avait lieu le même jour.",
    "[Journée très instructive|Immersion riche] dans l'ensemble.",
    "[La coupure d'eau du quartier|La coupure d'électricité] a [occupé|animé] toute la matinée.",
)
_VIDES = ("RAS", "Néant", "Rien à signaler", "-", "Aucune")

_TYPOS = (("accueil", "acceuil"), ("réunion", "reunion"), ("logiciel", "logitiel"), ("formation", "formaton"),
          ("communication", "comunication"), ("organisation", "organistion"), ("matériel", "materiel"),
          ("hiérarchie", "hierarchie"), ("équipe", "équippe"), ("collègues", "collegues"),
          ("procédures", "procedures"), ("climatisation", "climatisaton"), ("services", "sevices"))

# Theme weights by host service: (strengths, axes de progression).
_PROFILE = {
    "DGS": ({"management_encadrement": 2.0}, {"transversalite": 2.0}),
    "ETC": ({"competences_formation": 2.0, "cohesion_equipe": 1.5}, {"accueil_usagers": 2.0, "outils_moyens": 1.5}),
    "ACC": ({"accueil_usagers": 2.0}, {"accueil_usagers": 2.5, "communication_interne": 1.5}),
    "CCAS": ({"cohesion_equipe": 2.5, "accueil_usagers": 1.5},
             {"conditions_travail": 2.0, "organisation_travail": 2.0}),
    "URB": ({"competences_formation": 2.5}, {"outils_moyens": 2.0, "transversalite": 2.0}),
    "ST": ({"cohesion_equipe": 2.0, "competences_formation": 1.5},
           {"outils_moyens": 3.0, "conditions_travail": 2.0, "communication_interne": 1.5}),
    "ENV": ({"cohesion_equipe": 2.0}, {"outils_moyens": 2.0, "management_encadrement": 2.0}),
    "PM": ({"organisation_travail": 2.0}, {"transversalite": 1.5, "conditions_travail": 1.5}),
    "SCO": ({"cohesion_equipe": 2.0}, {"communication_interne": 2.0, "organisation_travail": 1.5}),
    "REST": ({"organisation_travail": 1.5}, {"conditions_travail": 3.0, "management_encadrement": 1.5}),
    "PE": ({"accueil_usagers": 2.0, "competences_formation": 2.0}, {"conditions_travail": 1.5}),
    "JEU": ({"cohesion_equipe": 2.0, "transversalite": 1.5}, {"outils_moyens": 2.0}),
    "SPO": ({"transversalite": 2.0}, {"outils_moyens": 2.0}),
    "CULT": ({"accueil_usagers": 2.0}, {"communication_interne": 1.5}),
    "RH": ({"competences_formation": 2.0}, {"communication_interne": 2.0, "organisation_travail": 1.5}),
    "FIN": ({"organisation_travail": 2.5}, {"outils_moyens": 2.0}),
}
_TYPE_BOOST = {"intra": {"management_encadrement": 2.0, "cohesion_equipe": 1.5},
               "inter": {"transversalite": 2.0, "accueil_usagers": 1.3}}

# --------------------------------------------------------------------------------------------------
# Survey and seminar comments
# --------------------------------------------------------------------------------------------------

_COM_POS = (
    "Accueil très [agréable|chaleureux], merci.",
    "Agent [très aimable|souriant|patient] et de bon conseil.",
    "Démarche [rapide|simple] et efficace.",
    "Rien à redire, [service au top|très satisfaite|très satisfait].",
    "Bonne écoute, on m'a bien expliqué la marche à suivre.",
    "Personnel [compétent|disponible], je recommande.",
    "[Bravo|Merci] à toute l’équipe.",
    "[Dossier traité|Réponse obtenue] en [quelques jours|moins d'une semaine], [parfait|très bien].",
    "On m'a rappelé comme promis, c'est [appréciable|rare].",
    "[Nette amélioration|Beaucoup mieux] par rapport à l'année dernière.",
    "La prise de rendez-vous en ligne [fonctionne bien|est pratique].",
    "[Très bon accueil|Accueil impeccable] [malgré le monde|même un samedi matin].",
)
_COM_NEG = (
    "[Trop d'attente|Attente trop longue] au guichet, [plus d'une heure|45 minutes] pour un simple papier.",
    "Personne ne répond au téléphone[, j'ai appelé plusieurs fois| le matin].",
    "[Délais beaucoup trop longs|Délai trop long] pour obtenir une réponse.",
    "On m'a [renvoyé|baladé] d'un service à l'autre.",
    "Horaires d'ouverture pas adaptés quand on travaille.",
    "Le site internet n'est pas à jour.",
    "Pas de place pour se garer devant la mairie.",
    "Aucune réponse à mon courrier [depuis deux mois|malgré deux relances].",
    "Agent [peu aimable|désagréable] au guichet.",
    "[Il manquait une pièce|On ne m'avait pas dit qu'il fallait un justificatif], j'ai dû revenir "
    "[deux fois|trois fois].",
    "Pas d'information sur [l'avancement de mon dossier|les délais].",
    "[Le guichet était fermé|Le bureau était fermé] alors que les horaires indiquaient ouvert.",
    "[Toujours pas de réponse|Aucune nouvelle] après [un mois|plusieurs semaines].",
)
_COM_NEU = ("Correct sans plus.", "Ça dépend des agents.", "Il faudrait pouvoir faire la démarche en ligne.",
            "Moyen.", "Peut mieux faire sur les délais.", "Accueil correct mais attente longue.",
            "[Bien reçu|Accueil aimable] mais [la réponse a tardé|il a fallu relancer].",
            "Pas mal, mais [les horaires|le stationnement] [pose problème|reste compliqué].",
            "Service [correct|convenable], [sans plus|rien d'exceptionnel].")
_COM_SVC = {
    "ETC": ("Acte de naissance reçu en [deux jours|une semaine].", "Dossier de mariage [bien suivi|compliqué]."),
    "ACC": ("Accueil de la mairie [efficace|débordé].", "Inscription sur les listes électorales [facile|laborieuse]."),
    "CCAS": ("Aide [obtenue|toujours en attente] pour ma mère.",
             "Assistante sociale [à l'écoute|difficile à joindre]."),
    "URB": ("Permis de construire [instruit dans les délais|bloqué depuis des mois].",
            "Certificat d'urbanisme [obtenu rapidement|toujours pas reçu]."),
    "ST": ("Nid-de-poule [signalé il y a trois mois, toujours là|réparé rapidement].",
           "Éclairage public en panne [dans mon quartier|depuis des semaines]."),
    "ENV": ("[Ramassage des encombrants|Débroussaillage] [efficace|pas fait depuis longtemps].",
            "Les bords de route sont [propres|mal entretenus]."),
    "PM": ("Police municipale [présente et réactive|jamais là quand on l'appelle].",
           "Stationnement gênant devant l'école [enfin verbalisé|jamais contrôlé]."),
    "SCO": ("Inscription scolaire [facile|compliquée].", "Les écoles sont [bien entretenues|sales]."),
    "REST": ("[Les repas de la cantine sont bons|La cantine, portions trop petites].",
             "Menus de la cantine [variés|répétitifs]."),
    "PE": ("[Pas de place en crèche pour mon fils|Très bonne équipe à la crèche].",
           "Liste d'attente de la crèche [trop longue|bien expliquée]."),
    "JEU": ("Activités pendant les vacances [appréciées par mes enfants|complètes trop vite].",),
    "SPO": ("[Le stade est bien entretenu|Les vestiaires du stade sont sales].",),
    "CULT": ("[Médiathèque agréable|Horaires de la médiathèque trop restreints].",),
    "FIN": ("[Paiement de la cantine à la régie simple|Régie fermée à mon arrivée].",),
}
_COM_PII = (
    "Vous pouvez me rappeler au {tel}.",
    "Mon adresse mail : {mail_res}",
    "Merci à {civ} {nom_agent} au guichet, très aimable.",
    "Je suis {civ_res} {resident}, mon dossier est toujours en attente.",
    "{civ_res} {resident} du quartier {quartier}, joignable au {tel}.",
    "Contactez-moi : {mail_res}",
)
_SEM_POS = (
    "[Très bon séminaire|Séminaire très réussi], [merci aux organisateurs|à refaire chaque année].",
    "Les ateliers étaient [intéressants|concrets|bien animés].",
    "L'intervention de la psychologue du travail était [passionnante|très utile|éclairante].",
    "Enfin un temps pour se parler entre services.",
    "Les mises en situation m'ont fait réfléchir sur ma pratique.",
    "[Le repas était excellent|Le buffet du midi était apprécié].",
    "Le guide des pratiques managériales est une bonne idée, [à faire vivre|à diffuser largement].",
    "[J'ai découvert|On a découvert] le travail [des collègues des services techniques|du CCAS|de l'état civil].",
    "[Belle dynamique|Bonne énergie] collective, [ça fait du bien|on en redemande].",
    "Le coach en management [a su captiver la salle|donnait des exemples parlants].",
    "Des outils concrets pour [mieux animer mes réunions|gérer les tensions dans l'équipe].",
)
_SEM_NEG = (
    "[Trop long|Journée trop chargée], [il manquait des pauses|on aurait pu faire plus court].",
    "La salle était trop chaude, [la climatisation ne marchait pas|pas assez de ventilateurs].",
    "J'aurais aimé plus d'échanges avec les élus.",
    "Les mises en situation étaient un peu artificielles.",
    "Pas assez de temps pour les questions.",
    "Le guide des pratiques managériales reste trop théorique.",
    "[Peu d'agents de terrain présents|Les agents de terrain n'étaient pas assez représentés].",
    "[Beaucoup de discours|Trop de présentations], pas assez de concret.",
    "Je ne vois pas ce qui va changer [dans mon service|au quotidien].",
    "Convocation reçue trop tard pour [s'organiser|prévoir un remplacement].",
)
_SEM_PII = ("Merci à {civ} {nom_agent} pour l'organisation.", "Pour la suite, me contacter au {tel}.",
            "Mes remarques détaillées à {mail_agent}.")

_CSP = ("Employé", "Ouvrier", "Profession intermédiaire", "Cadre, profession intellectuelle supérieure",
        "Artisan, commerçant, chef d'entreprise", "Agriculteur exploitant", "Retraité",
        "Sans activité professionnelle", "Étudiant, élève")
_CANAUX = ("guichet", "telephone", "en_ligne", "courrier")

_COMPETENCES = ("Écoute active", "Délégation", "Feedback", "Gestion des conflits", "Conduite de réunion",
                "Reconnaissance")
_COMP_BASE = np.array([3.4, 2.7, 2.8, 2.6, 3.2, 3.0])
#: Mean latent gain between "avant" and "apres" by competence (Reconnaissance: none).
AUTOEVAL_GAIN = dict(zip(_COMPETENCES, (0.4, 0.7, 0.6, 0.7, 0.45, 0.0)))

_ALT = re.compile(r"\[([^\[\]]*)\]")


